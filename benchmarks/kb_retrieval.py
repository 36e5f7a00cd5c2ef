"""Runbook retrieval quality on public data: hit@1 / hit@3 of `KnowledgeBase.search`.

Ingests a runbook folder into a throwaway KB, parses each eval case with the shared payload
parser, builds the RetrievalQuery the way the graph's retrieve node does, and compares the
top-3 document ids with `expected.runbook`.

    .venv/bin/python benchmarks/kb_retrieval.py \
        --runbooks /work/shared/data/kube-prometheus/runbooks \
        /work/shared/data/kube-prometheus/cases.jsonl \
        /work/shared/data/kube-prometheus/cases-noname.jsonl
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

from agent.signals.cases import parse_case_input
from knowledge.base import KnowledgeBase
from knowledge.cases import load_cases
from knowledge.types import RetrievalQuery

_NAME_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{1,80}$")
_TERM_KEYS = ("alertname", "service", "job", "namespace", "container", "__name__", "app")


def build_query(signal) -> RetrievalQuery:
    """RetrievalQuery as the retrieve node builds it: title + text, name-like label values."""
    labels = signal.label_view()
    terms = [labels[k] for k in _TERM_KEYS if labels.get(k) and _NAME_LIKE.match(labels[k])]
    if signal.metric:
        terms.append(signal.metric.name)
    url = next((v for k, v in signal.annotations.items()
                if k.lower() in {"runbook_url", "runbook"} and "/" in v), None)
    return RetrievalQuery(text=f"{signal.title}\n{signal.text}", terms=tuple(dict.fromkeys(terms)),
                          service=signal.service, labels=labels, runbook_url=url)


def evaluate(kb: KnowledgeBase, dataset: Path, verbose: bool) -> dict[str, float]:
    """hit@1, hit@3 and query latency over the cases that name an expected runbook."""
    hit1 = hit3 = total = 0
    latencies: list[float] = []
    for case in load_cases(dataset):
        expected = (case.get("expected") or {}).get("runbook")
        if not expected:
            continue
        for signal in parse_case_input(case["input"], case["id"]):
            query = build_query(signal)
            start = time.perf_counter()
            ids = [hit.id for hit in kb.search(query, k=3, kind="runbook")]
            latencies.append((time.perf_counter() - start) * 1000)
            total += 1
            hit1 += ids[:1] == [expected]
            hit3 += expected in ids
            if verbose and ids[:1] != [expected]:
                print(f"  miss@1 {case['id']}: expected {expected}, got {ids}")
    latencies.sort()
    return {"cases": total, "hit@1": hit1 / max(total, 1), "hit@3": hit3 / max(total, 1),
            "p50_ms": statistics.median(latencies) if latencies else 0.0,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0}


def main() -> None:
    """Parse arguments, ingest, evaluate every dataset and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runbooks", type=Path, required=True)
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    kb = KnowledgeBase.open(None)
    start = time.perf_counter()
    report = kb.ingest_path(args.runbooks, kind="runbook")
    print(f"ingested {args.runbooks}: {report.summary()} in {time.perf_counter() - start:.1f}s")
    for dataset in args.datasets:
        result = evaluate(kb, dataset, args.verbose)
        print(f"{dataset.name}: cases {result['cases']}  hit@1 {result['hit@1']:.3f}  "
              f"hit@3 {result['hit@3']:.3f}  query p50 {result['p50_ms']:.1f} ms  "
              f"p95 {result['p95_ms']:.1f} ms")
    kb.close()


if __name__ == "__main__":
    main()
