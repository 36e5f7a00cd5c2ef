"""Benchmark: offline judgement latency per signal with the learned heads (target p95 ≤ 25 ms).

Run: `.venv/bin/python benchmarks/learned_inference.py [--signals 500]`.
Signals are parsed from the team dataset and (when present) the public awesome-prometheus-alerts
set; each is judged by the offline reasoner with no retrieval (empty runbooks and cases), once
with the shipped heads (a fresh embedding cache, so every distinct text is embedded once) and once
rules-only (the floor measured in the same run). Excludes retrieval, includes the embedding.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from agent.config import load_config
from agent.learning.judge import LearnedJudge
from agent.learning.model import load_heads
from agent.noise.types import NoiseOutcome
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Evidence
from agent.signals.parse import parse_payload
from evals.dataset import load_dataset
from knowledge.embedder import default_embedder

ROOT = Path(__file__).resolve().parents[1]
TEAM = ROOT / "evals" / "datasets" / "team"
PUBLIC = ROOT.parent / "shared" / "data" / "awesome-prometheus-alerts" / "cases.jsonl"


def signals(n: int) -> list:
    """Up to n distinct signals from the datasets' inputs."""
    cases = load_dataset(TEAM / "cases.jsonl")
    if PUBLIC.exists():
        cases = load_dataset(PUBLIC) + cases
    counter = itertools.count(1)
    out = []
    for case in cases:
        try:
            out += parse_payload(case.input.payload, case.input.format,
                                 received_at=datetime(2026, 12, 1, tzinfo=UTC),
                                 new_id=lambda: f"b-{next(counter)}")
        except ValueError:
            continue
        if len(out) >= n:
            break
    return out[:n]


def time_judge(reasoner: OfflineReasoner, sigs: list, config) -> np.ndarray:
    """Milliseconds per judge() call."""
    out = []
    for s in sigs:
        ev = Evidence(signal=s, config=config, noise=NoiseOutcome(group_id="g"))
        start = time.perf_counter()
        reasoner.judge(ev)
        out.append((time.perf_counter() - start) * 1000)
    return np.array(out)


def main() -> None:
    """Print p50/p95 per signal with the heads and rules-only, and the pass/fail."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=500)
    parser.add_argument("--target", type=float, default=25.0)
    args = parser.parse_args()
    config = load_config(TEAM / "config.yaml")
    sigs = signals(args.signals)
    heads, _ = load_heads()
    embedder = default_embedder()
    embedder.embed(["warm up"])
    # no "promoted" record: every shipped head decides (the worst case for latency); a fresh
    # judge, so each signal's text is embedded once (heads of one signal share it)
    learned = OfflineReasoner(LearnedJudge(heads, {}, embedder))
    rules = OfflineReasoner(None)
    time_judge(rules, sigs[:20], config)
    with_heads = time_judge(learned, sigs, config)
    floor = time_judge(rules, sigs, config)
    p50, p95 = np.percentile(with_heads, [50, 95])
    r50, r95 = np.percentile(floor, [50, 95])
    print(f"{len(sigs)} signals, offline judge without retrieval")
    print(f"  learned heads: p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    print(f"  rules only   : p50 {r50:.2f} ms  p95 {r95:.2f} ms  (heads cost x{p95 / r95:.1f} "
          "at p95)")
    print(f"  target p95 <= {args.target} ms: {'PASS' if p95 <= args.target else 'FAIL'}")


if __name__ == "__main__":
    main()
