"""Offline triage latency with a large labeled history: past-case kNN at 10,000 cases.

Builds a throwaway KB with N synthetic labeled tickets (`kb ingest-cases` path: embedded once
at ingest), then triages distinct tickets through the real pipeline (offline reasoner, case
lookup on every signal) and reports per-signal latency; the same tickets without a history are
the floor measured in the same run.

    .venv/bin/python benchmarks/history_knn.py --cases 10000 --signals 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import agent.demo
from agent.config.loader import load_config
from agent.nodes.retrieve import query_for
from agent.signals.parse import parse_payload
from agent.wiring import build_pipeline, open_kb_at
from knowledge.base import KnowledgeBase

DEMO_CONFIG = Path(agent.demo.__file__).with_name("config.yaml")

SUBJECTS = ("VPN", "laptop", "checkout page", "payment card", "search results", "e-mail",
            "shared drive", "orders report", "login page", "printer", "Slack", "invoice export")
PROBLEMS = ("keeps disconnecting", "shows error 502", "is very slow since this morning",
            "does not load", "rejects my password", "crashes on start", "shows stale data",
            "times out after 30 seconds", "needs access for a new hire", "asks for MFA twice")
TEAMS = ("it", "payments", "web", "data", "identity", "fulfilment")


def ticket(rng: random.Random, i: int) -> dict:
    """A synthetic ticket with some variety (numbers and word order change per item)."""
    subject, problem = rng.choice(SUBJECTS), rng.choice(PROBLEMS)
    body = (f"{subject} {problem} (ref {rng.randint(1000, 99999)}); "
            f"{rng.choice(['since Monday', 'for the whole team', 'only for me', 'again'])}")
    return {"title": f"{subject} {problem}", "body": body, "reporter": f"user{i % 300}"}


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of sorted values (nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1)))]


def timed_run(retriever: KnowledgeBase | None, tickets: list[dict]) -> list[float]:
    """Per-signal latency (ms) of the offline pipeline over `tickets`."""
    pipe = build_pipeline(config=load_config(DEMO_CONFIG), db_path=":memory:",
                          checkpointer="none", retriever=retriever)
    out = []
    for payload in tickets:
        start = time.perf_counter()
        pipe.triage(payload, fmt="ticket")
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    """Build the history, time the pipeline with and without it, print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--signals", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    kb = open_kb_at(None, load_config(DEMO_CONFIG))
    history = [{"id": f"h{i}", "input": {"format": "ticket", "payload": ticket(rng, i)},
                "expected": {"kind": "incident", "team": rng.choice(TEAMS),
                             "priority": rng.choice(["P2", "P3", "P4"])}}
               for i in range(args.cases)]
    start = time.perf_counter()
    stored = kb.ingest_cases(history)
    print(f"ingested {stored} cases in {time.perf_counter() - start:.1f}s")
    tickets = [ticket(rng, 10_000_000 + i) for i in range(args.signals)]
    timed_run(kb, tickets[:5])  # warm-up: loads the case matrix and the ONNX session
    floor = timed_run(None, tickets)
    with_history = timed_run(kb, tickets)
    lookups = []
    for payload in tickets:
        [sig] = parse_payload(payload, "ticket", received_at=datetime.now(UTC),
                              new_id=lambda: "b")
        t = time.perf_counter()
        kb.similar_cases(query_for(sig), k=7)
        lookups.append((time.perf_counter() - t) * 1000)
    for name, values in (("no history (floor)", floor), (f"{stored}-case history", with_history),
                         ("case lookup alone", lookups)):
        print(f"{name}: p50 {statistics.median(values):.1f} ms  p95 "
              f"{percentile(values, 0.95):.1f} ms")
    ratio = percentile(with_history, 0.95) / percentile(floor, 0.95)
    print(f"ratio p95 with history / floor: {ratio:.2f}")
    kb.close()


if __name__ == "__main__":
    main()
