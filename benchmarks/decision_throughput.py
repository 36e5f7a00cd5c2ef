"""Benchmark: decisions per second of one process's decision worker, as `triage serve` runs it.

Run: `.venv/bin/python benchmarks/decision_throughput.py [--n 1000] [--repeats 3] [--json]`.

What it runs: the served configuration (`open_pipeline`: SQLite store and checkpointer, the
knowledge base with the bundled runbooks ingested, the tool runtime, the offline reasoner)
and the service's `DecisionWorker` (one thread, claims on the same database). N distinct
Alertmanager alerts are stored first (not timed), each naming its own host in its labels and
summary, so no query embedding is reused between them, each with its own fingerprint and
start, so every one reaches the reasoner. Timed: from submitting the ids to the worker being
idle. Three configurations, interleaved (the order rotates per repeat), each on a fresh
database: `kb` (as shipped: the next queued signal's query is embedded in the background while
one is decided, and the heap frozen after start-up as `triage serve` does), `kb-serial` (the
same without that look-ahead: its peer), `kb-gc` (look-ahead, heap not frozen: the peer of the
freeze) and `no-kb` (no knowledge base and so no runbook actions either: the floor of the rest
of the pipeline).
Printed per configuration: the median decisions/s of the repeats, and the ratios against the
peer and the floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import agent.demo
from agent.config.loader import load_config
from agent.config.settings import Settings
from agent.kernel.db import open_db
from agent.kernel.heap import freeze_heap, thaw_heap
from agent.service.claims import ClaimBook
from agent.service.metrics import ServiceMetrics
from agent.service.worker import DecisionWorker
from agent.wiring import open_kb, open_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_throughput import ALERTS, SERVICES  # noqa: E402  (the same alert mix)

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = Path(agent.demo.__file__).with_name("config.yaml")
RUNBOOKS = ROOT / "knowledge" / "corpus" / "runbooks"
MODES = ("kb", "kb-serial", "kb-gc", "no-kb")


def body(i: int, run: str) -> dict:
    """The i-th distinct alert of a run: its own host, fingerprint and start second."""
    name, severity, summary = ALERTS[i % len(ALERTS)]
    service = SERVICES[(i // len(ALERTS)) % len(SERVICES)]
    host = f"{service}-{run}-{i:05d}"
    labels = {"alertname": name, "severity": severity, "service": service, "instance": host}
    starts = f"2026-12-01T{8 + (i // 3600) % 12:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
    alert = {"status": "firing", "labels": labels, "startsAt": starts,
             "annotations": {"summary": f"{summary} on {host}"},
             "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{run}{i:08x}"}
    return {"version": "4", "status": "firing", "receiver": "triage", "alerts": [alert],
            "groupLabels": {"alertname": name}, "commonLabels": labels, "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093", "groupKey": f"{run}:{i}"}


def run_once(mode: str, n: int, home: Path, tag: str) -> dict:
    """Store n alerts on a fresh database, then time the worker deciding all of them."""
    config = load_config(DEMO_CONFIG)
    settings = Settings(_env_file=None, TRIAGE_HOME=str(home))
    db = home / f"{tag}.db"
    pipeline = open_pipeline(settings, config, db_path=db, use_kb=mode != "no-kb",
                             kb=open_kb(settings, config) if mode != "no-kb" else None)
    pipeline.warm()
    if mode == "kb-gc":
        thaw_heap()  # an earlier run in this process froze its heap
    else:
        freeze_heap()  # as `triage serve` does once the KB is warm
    ids = [sid for i in range(n) for sid in pipeline.accept(body(i, tag), "alertmanager")
           .signal_ids]
    metrics = ServiceMetrics()
    worker = DecisionWorker(pipeline, ClaimBook(open_db(db), grace_s=0.0), metrics,
                            scan_interval_s=3600, look_ahead=mode != "kb-serial")
    started = time.perf_counter()
    worker.submit(ids)
    worker.start(resume=False)
    assert worker.wait_idle(timeout=3600), "the worker did not finish"
    elapsed = time.perf_counter() - started
    worker.stop()
    decided = sum(pipeline.decision(i) is not None for i in ids)
    assert decided == n, f"{decided} of {n} decided"
    pipeline.close()
    return {"mode": mode, "n": n, "seconds": elapsed, "per_s": n / elapsed}


def main() -> None:
    """Interleave the three configurations, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = Settings(_env_file=None, TRIAGE_HOME=str(home))
        kb = open_kb(settings, load_config(DEMO_CONFIG))
        kb.ingest_path(RUNBOOKS, kind="runbook")
        kb.close()
        results: dict[str, list[dict]] = {m: [] for m in MODES}
        for r in range(args.repeats):
            order = MODES[r % len(MODES):] + MODES[:r % len(MODES)]
            for mode in order:
                out = run_once(mode, args.n, home, f"r{r}{mode.replace('-', '')}")
                results[mode].append(out)
                print(f"repeat {r} {mode:9s} {out['per_s']:7.1f} decisions/s", file=sys.stderr)
    med = {m: statistics.median(o["per_s"] for o in results[m]) for m in MODES}
    summary = {"n": args.n, "repeats": args.repeats, "median_per_s": med,
               "kb_vs_serial": med["kb"] / med["kb-serial"],
               "kb_vs_gc": med["kb"] / med["kb-gc"],
               "kb_vs_no_kb": med["kb"] / med["no-kb"], "runs": results}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for m in MODES:
        runs = ", ".join(f"{o['per_s']:.1f}" for o in results[m])
        print(f"{m:9s} median {med[m]:7.1f} decisions/s  (runs {runs})")
    print(f"kb / kb-serial (look-ahead gain) x{summary['kb_vs_serial']:.2f}; "
          f"kb / kb-gc (heap freeze gain) x{summary['kb_vs_gc']:.2f}; "
          f"kb / no-kb (cost of the KB) x{summary['kb_vs_no_kb']:.2f}; "
          f"target 200/s: {'met' if med['kb'] >= 200 else 'not met'}")


if __name__ == "__main__":
    main()
