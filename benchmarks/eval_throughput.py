"""Benchmark: offline eval throughput (target: 1,000 cases in under 60 s on 2 cores).

Run: `.venv/bin/python benchmarks/eval_throughput.py [--cases 1000] [--jobs 2]`.
Cases are the public awesome-prometheus-alerts set plus the team dataset, cycled to --cases
with unique ids; the timing covers worker start-up, every case's fresh pipeline and scoring.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from agent.config import load_config
from evals.dataset import EvalCase, load_dataset
from evals.metrics import compute_metrics
from evals.runner import RunSpec, run_cases

ROOT = Path(__file__).resolve().parents[1]
TEAM = ROOT / "evals" / "datasets" / "team"
PUBLIC = ROOT.parent / "shared" / "data" / "awesome-prometheus-alerts" / "cases.jsonl"


def corpus(n: int) -> list[EvalCase]:
    """n cases: the public set (if present) and the team set, repeated with unique ids."""
    pool = load_dataset(TEAM / "cases.jsonl")
    if PUBLIC.exists():
        pool = load_dataset(PUBLIC) + pool
    return [pool[i % len(pool)].model_copy(update={"id": f"{pool[i % len(pool)].id}#{i}"})
            for i in range(n)]


def main() -> None:
    """Time one run and print cases/s and the pass/fail against the 60 s target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--target", type=float, default=60.0)
    args = parser.parse_args()
    cases = corpus(args.cases)
    spec = RunSpec(config=load_config(TEAM / "config.yaml"))
    started = time.perf_counter()
    results = run_cases(cases, spec, jobs=args.jobs)
    elapsed = time.perf_counter() - started
    metrics = compute_metrics(results)
    errors = sum(1 for r in results if r.error)
    print(f"cases={len(results)} jobs={args.jobs} cpus={os.cpu_count()} elapsed={elapsed:.1f}s "
          f"rate={len(results) / elapsed:.1f}/s errors={errors} "
          f"p50={metrics['latency_ms_p50']:.1f}ms p95={metrics['latency_ms_p95']:.1f}ms")
    print("PASS" if elapsed < args.target else "FAIL", f"(target {args.target:.0f}s)")


if __name__ == "__main__":
    main()
