"""Knowledge-base throughput and latency: ingest N chunks, query latency at 1k and N chunks.

Synthesises runbooks by re-labelling the bundled corpus (new service and alert names per
copy), ingests them into a throwaway KB, and times `KnowledgeBase.search` end to end (query
embedding included, distinct query texts so no cache hits).

    .venv/bin/python benchmarks/kb_bench.py --chunks 10000 --queries 200
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.corpus import CORPUS_DIR
from knowledge.types import RetrievalQuery

SERVICES = ("checkout-api", "payments-gateway", "web-frontend", "search-api", "orders-db",
            "inventory-service", "notification-worker", "reporting", "auth-service")
SYMPTOMS = ("error rate above 5% for 10 minutes", "p99 latency 2.3s over SLO",
            "disk 96% full on /var", "pods restarting every few minutes",
            "replication lag 340 seconds", "queue depth 52000 messages",
            "certificate expires in 3 days", "connection pool exhausted",
            "cpu usage 97% for 15 minutes", "many failed logins from one address")


def synthesize(folder: Path, copies: int, start: int) -> None:
    """Write `copies` relabelled copies of every bundled runbook/postmortem under folder."""
    sources = sorted(CORPUS_DIR.rglob("*.md"))
    for copy in range(start, start + copies):
        target = folder / f"team{copy:04d}"
        target.mkdir(parents=True, exist_ok=True)
        service = f"svc{copy:04d}"
        for src in sources:
            text = src.read_text()
            for name in SERVICES:
                text = text.replace(name, f"{name}-{service}")
            text = re.sub(r"alerts: \[([^\]]*)\]",
                          lambda m, n=copy: "alerts: [" + ", ".join(
                              f"{a.strip()}{n}" for a in m.group(1).split(",") if a.strip())
                          + "]", text)
            (target / f"{src.stem}{copy}.md").write_text(text)


def time_queries(kb: KnowledgeBase, count: int, seed: int) -> tuple[float, float]:
    """p50 and p95 search latency in ms for `count` distinct alert-like queries."""
    rng = random.Random(seed)
    latencies = []
    for i in range(count):
        service = rng.choice(SERVICES)
        text = f"{service} {rng.choice(SYMPTOMS)} (host node-{rng.randint(1, 999)}, #{i})"
        query = RetrievalQuery(text=text, terms=(service,), service=service,
                               labels={"service": service})
        start = time.perf_counter()
        kb.search(query, k=3, kind="runbook")
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]


def main() -> None:
    """Ingest in two stages (about 1k, then --chunks) and report throughput and latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        root = Path(tmp)
        kb = KnowledgeBase.open(root / "home")
        kb.search(RetrievalQuery("warm up"), k=1)  # load the model outside the timings
        per_copy = sum(1 for _ in CORPUS_DIR.rglob("*.md")) * 5.5
        copies, made, stage_done = 0, 0, False
        ingest_s, ingested = 0.0, 0
        while ingested < args.chunks:
            step = 1 if not stage_done and ingested < 1000 else max(
                1, int((args.chunks - ingested) / per_copy))
            synthesize(root / "docs", step, copies)
            copies += step
            start = time.perf_counter()
            report = kb.ingest_path(root / "docs", kind="auto")
            ingest_s += time.perf_counter() - start
            ingested += report.chunks
            made += len(report.added)
            if not stage_done and ingested >= 1000:
                stage_done = True
                p50, p95 = time_queries(kb, args.queries, 1)
                print(f"{ingested:>6} chunks ({made} docs): query p50 {p50:.1f} ms  "
                      f"p95 {p95:.1f} ms")
        rate = ingested / ingest_s
        print(f"ingested {ingested} chunks ({made} docs) in {ingest_s:.1f}s: "
              f"{rate:.1f} chunks/s, {made / ingest_s:.2f} docs/s")
        p50, p95 = time_queries(kb, args.queries, 2)
        print(f"{ingested:>6} chunks ({made} docs): query p50 {p50:.1f} ms  p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
