"""Throughput of the noise stage against its floor, on a WAL file with the cache as in `serve`.

Seeded payloads (Alertmanager webhooks, PagerDuty events, metric samples, tickets; about a
quarter of them redelivered) are parsed with `parse_payload` and pushed through `NoiseGate` on a
WAL file while a second connection commits to the same file between the gate's transactions
(as the signal store and claims do in `triage serve`, so `PRAGMA data_version` changes every
time). The floor is `json.loads` of the same bodies plus a label-hash dedup in a dict
(`noise_floor`). Floor and gate runs are interleaved, `--repeats` times, and the figures are
CPU time (`time.process_time`, one core); the ratio gate/floor is the number to quote.

The harness holds every parsed input at once (20,000 signals with their payloads), which
`triage serve` never does (a payload lives until its batch commits), and whose full cyclic
collections would be charged to whatever runs. So the timed rows run with the inputs moved
out of the collector's reach (`gc.freeze`, as `serve` freezes its start-up heap); the gate's
own state is collected as usual. The row "inputs not frozen" is the same gate without that.

    .venv/bin/python benchmarks/noise_throughput.py [--signals 20000] [--repeats 3] [--profile]
    .venv/bin/python benchmarks/noise_throughput.py --peers 2   # two gates sharing one file
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import os
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from noise_floor import bodies, floor

from agent.config.org import OrgConfig
from agent.kernel.db import open_db
from agent.kernel.signal import Signal
from agent.noise.gate import NoiseGate
from agent.signals.parse import parse_payload

T0 = datetime(2026, 12, 1, tzinfo=UTC)
CONFIG = OrgConfig.model_validate({
    "maintenance": [{"match": {"service": "svc-3"}, "start": "2026-12-01T01:00:00Z",
                     "end": "2026-12-01T02:00:00Z", "reason": "upgrade"}],
    "inhibit_rules": [{"source_matchers": ['severity="critical"', 'alertname="NodeDown"'],
                       "target_matchers": ['severity="warning"'], "equal": ["instance"]}],
    "thresholds": {"cpu_usage_percent": {"warning": 85, "critical": 95}},
})


def payloads(n: int, seed: int) -> list[tuple[str, Any]]:
    """(format, payload) pairs: mostly Alertmanager, some PagerDuty, metrics and tickets."""
    r = random.Random(seed)
    out: list[tuple[str, Any]] = []
    while len(out) < n:
        i = len(out)
        at = T0 + timedelta(seconds=i * 0.7)
        svc, host = f"svc-{r.randrange(30)}", f"host-{r.randrange(300)}"
        kind = r.random()
        if kind < 0.65:
            status = "resolved" if r.random() < 0.35 else "firing"
            start = at - timedelta(minutes=r.uniform(0, 10) if status == "resolved" else 0)
            alert = {"status": status, "startsAt": start.isoformat(),
                     "endsAt": at.isoformat() if status == "resolved" else "0001-01-01T00:00:00Z",
                     "labels": {"alertname": r.choice(["NodeDown", "HighCPU", "DiskFull",
                                                       "Latency", "Errors"]),
                                "service": svc, "instance": host,
                                "severity": r.choice(["warning", "critical"])},
                     "annotations": {"summary": f"{svc} on {host}"}}
            body = {"version": "4", "status": status, "receiver": "triage", "alerts": [alert],
                    "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}}
            out.append(("alertmanager", body))
        elif kind < 0.75:
            out.append(("pagerduty", {
                "routing_key": "r" * 32, "event_action": r.choice(["trigger", "resolve"]),
                "dedup_key": f"pd-{r.randrange(500)}",
                "payload": {"summary": f"{svc} degraded", "source": host, "severity": "error",
                            "component": svc, "timestamp": at.isoformat()}}))
        elif kind < 0.95:
            out.append(("metric", {"metric": "cpu_usage_percent", "value": r.gauss(50, 8),
                                   "labels": {"service": svc, "instance": host},
                                   "timestamp": at.isoformat()}))
        else:
            out.append(("ticket", {"title": f"{svc} is slow for me", "body": "since lunch",
                                   "reporter": f"user{r.randrange(100)}"}))
        if r.random() < 0.25:  # at-least-once: redelivered
            out.append(out[-1])
    return out[:n]


def parse_all(items: list[tuple[str, Any]]) -> list[Signal]:
    """Parse every payload with fresh signal ids."""
    ids = itertools.count()
    new_id: Callable[[], str] = lambda: f"s{next(ids)}"  # noqa: E731
    return [s for fmt, body in items
            for s in parse_payload(body, fmt, received_at=T0, new_id=new_id)]


def run(signals: list[Signal], db: str, batch: int, peers: int = 1) -> float:
    """CPU seconds to push all signals through fresh gate(s) on `db`, as in `triage serve`.

    Between the gate's transactions another connection commits to the same file (the signal
    store's writes), so the gate always sees `data_version` move; with `peers` > 1 the signals
    are dealt round-robin to that many gates sharing the file (several workers).
    """
    conn = open_db(db)
    gates = [NoiseGate(conn if i == 0 else open_db(db), CONFIG) for i in range(peers)]
    other = open_db(db)
    other.execute("CREATE TABLE IF NOT EXISTS bench_other (n INTEGER)")
    cpu = 0.0
    for n, i in enumerate(range(0, len(signals), batch)):
        gate = gates[n % peers]
        chunk = signals[i:i + batch]
        other.execute("INSERT INTO bench_other VALUES (?)", (i,))  # not counted
        started = time.thread_time()
        if batch == 1:
            gate.process(chunk[0])
        else:
            gate.process_batch(chunk)
        cpu += time.thread_time() - started
    return cpu


@contextmanager
def inputs_frozen(frozen: bool = True) -> Iterator[None]:
    """Exempt everything alive now (the harness's inputs) from cyclic collection while inside."""
    if frozen:
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


STEPS = {  # profile entry → step name
    "parse_payload": "parse + fingerprint",
    "dedup_key": "dedup key",
    "place": "group (link, merge, member)",
    "match": "maintenance + silences",
    "inhibited_by": "inhibition check",
    "_track_alert": "alert state + inhibition sources",
    "record": "flapping",
    "observe": "baseline (EWMA)",
    "notify_rule": "notification rules",
    "commit": "flush + commit",
}


def profile(items: list[tuple[str, Any]], db: str) -> None:
    """Per-signal µs of each step (cProfile cumulative time, so inflated by the profiler)."""
    prof = cProfile.Profile()
    prof.enable()
    signals = parse_all(items)
    gate = NoiseGate(open_db(db), CONFIG)
    for s in signals:
        gate.process(s)
    prof.disable()
    stats = pstats.Stats(prof)
    n = len(signals)
    print(f"\nper-signal cost by step (cProfile cumulative, {db}):")
    for (path, _, func), (_, _, _, ct, _) in sorted(stats.stats.items(),  # type: ignore[attr-defined]
                                                  key=lambda kv: -kv[1][3]):
        if func in STEPS and ("noise" in path or "signals" in path):
            print(f"  {STEPS[func]:34s} {ct / n * 1e6:8.1f} µs")
    print("\ntop entries by own time:")
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    """Measure floor and gate interleaved and print the table with ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peers", type=int, default=1, help="gates sharing the file")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    items = payloads(args.signals, args.seed)
    raw = bodies(items)
    rows: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeats):  # interleaved: floor, parse, gate per signal, batched
            with inputs_frozen():
                cpu, n, _ = floor(raw)
            rows.setdefault("floor: json.loads + label-hash dedup", []).append(cpu / n)
            cpu = time.process_time()
            signals = parse_all(items)
            rows.setdefault("parse + fingerprint (ingest)", []).append(
                (time.process_time() - cpu) / len(signals))
            for label, batch, frozen in (
                    ("gate, WAL, 1 tx/signal", 1, True),
                    ("gate, WAL, batches of 200", 200, True),
                    ("gate, batches of 200, inputs not frozen", 200, False)):
                with inputs_frozen(frozen):
                    cpu = run(signals, f"{tmp}/{rep}-{batch}-{frozen}.db", batch, args.peers)
                rows.setdefault(label, []).append(cpu / len(signals))
    n = len(signals)
    base = statistics.median(rows["floor: json.loads + label-hash dedup"])
    parse = statistics.median(rows["parse + fingerprint (ingest)"])
    print(f"{n} signals from {len(items)} payloads, {args.peers} gate(s) on one WAL file, "
          f"median of {args.repeats} interleaved runs; load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':40s} {'cpu µs/sig':>10s} {'signals/s':>10s} {'× floor':>8s}")
    for label, values in rows.items():
        per = statistics.median(values)
        print(f"{label:40s} {per * 1e6:10.1f} {1 / per:10,.0f} {per / base:8.1f}")
        if label.startswith("gate, WAL"):
            both = per + parse
            print(f"{'  parse + ' + label[:6]:40s} {both * 1e6:10.1f} {1 / both:10,.0f} "
                  f"{both / base:8.1f}")
    if args.profile:
        profile(items[: min(len(items), 10_000)], ":memory:")


if __name__ == "__main__":
    main()
