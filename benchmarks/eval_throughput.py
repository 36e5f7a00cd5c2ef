"""Benchmark: offline eval throughput with the knowledge base on (as `make eval` runs it).

Run: `.venv/bin/python benchmarks/eval_throughput.py [--cases 1000] [--jobs 2]`.
Cases are the public awesome-prometheus-alerts set plus the team dataset, cycled to --cases
with unique ids; every case runs on a fresh pipeline (worker start-up, case pipeline, scoring
included) against a knowledge base holding the bundled runbooks (`--kb`, as `make eval`).
Every case reaches the reasoner (each has its own fresh noise state). Printed: cases/s, cases
per second per worker process, and in the same run the peer without a knowledge base; with
`--distinct` the texts are made unique per case (an instance suffix), so no embedding is
reused between cases — the storm case, where each alert names its own host.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from agent.config import load_config
from evals.dataset import EvalCase, load_dataset
from evals.kb import build_kb
from evals.metrics import compute_metrics
from evals.runner import RunSpec, run_cases

ROOT = Path(__file__).resolve().parents[1]
TEAM = ROOT / "evals" / "datasets" / "team"
RUNBOOKS = ROOT / "knowledge" / "corpus" / "runbooks"
PUBLIC = ROOT.parent / "shared" / "data" / "awesome-prometheus-alerts" / "cases.jsonl"


def _distinct(case: EvalCase, i: int) -> EvalCase:
    """The case with every string value of its input suffixed by a per-case instance name."""
    def walk(value: object, key: str = "") -> object:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and key in {"summary", "description", "title", "body",
                                              "message", "text", "instance"}:
            return f"{value} (node-{i})"
        return value

    payload = json.loads(json.dumps(case.input.payload))
    return case.model_copy(update={"input": case.input.model_copy(
        update={"payload": walk(payload)})})


def corpus(n: int, distinct: bool = False) -> list[EvalCase]:
    """n cases: the public set (if present) and the team set, repeated with unique ids."""
    pool = load_dataset(TEAM / "cases.jsonl")
    if PUBLIC.exists():
        pool = load_dataset(PUBLIC) + pool
    out = [pool[i % len(pool)].model_copy(update={"id": f"{pool[i % len(pool)].id}#{i}"})
           for i in range(n)]
    return [_distinct(c, i) for i, c in enumerate(out)] if distinct else out


def timed(cases: list[EvalCase], spec: RunSpec, jobs: int) -> tuple[float, list]:
    """Seconds for one run and its results."""
    started = time.perf_counter()
    results = run_cases(cases, spec, jobs=jobs)
    return time.perf_counter() - started, results


def main() -> None:
    """Time the run with the KB and without it; print cases/s, per process, and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kb", type=Path, default=RUNBOOKS)
    parser.add_argument("--distinct", action="store_true")
    parser.add_argument("--target", type=float, default=200.0, help="cases/s per process")
    args = parser.parse_args()
    config = load_config(TEAM / "config.yaml")
    cases = corpus(args.cases, args.distinct)
    with tempfile.TemporaryDirectory(prefix="triage-bench-kb-") as tmp:
        kb_dir = build_kb(Path(tmp), [args.kb], None, config.knowledge)
        rows = []
        for name, spec in (("KB on", RunSpec(config=config, kb_dir=kb_dir)),
                           ("no KB (peer)", RunSpec(config=config))):
            elapsed, results = timed(cases, spec, args.jobs)
            metrics = compute_metrics(results)
            errors = sum(1 for r in results if r.error)
            rate = len(results) / elapsed
            rows.append((name, rate))
            print(f"{name:13s} cases={len(results)} jobs={args.jobs} cpus={os.cpu_count()} "
                  f"elapsed={elapsed:.1f}s rate={rate:.1f}/s per process={rate / args.jobs:.1f}/s "
                  f"errors={errors} p50={metrics['latency_ms_p50']:.1f}ms "
                  f"p95={metrics['latency_ms_p95']:.1f}ms")
    (_, on), (_, off) = rows
    print(f"KB on / no KB: x{on / off:.2f}; distinct texts: {args.distinct}; load average "
          f"{os.getloadavg()[0]:.1f}")
    per_process = on / args.jobs
    print("PASS" if per_process >= args.target else "FAIL",
          f"(target {args.target:.0f} cases/s per process with the KB on)")


if __name__ == "__main__":
    main()
