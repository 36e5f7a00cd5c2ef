"""Throughput of the noise stage alone: parse + fingerprint, dedup, group, suppress, flap, baseline.

Seeded payloads (Alertmanager webhooks, PagerDuty events, metric samples, tickets; about a
quarter of them redelivered) are parsed with `parse_payload` and pushed through `NoiseGate`,
on an in-memory database and on a WAL file, one transaction per signal and in batches. CPU time
(`time.process_time`) is the one-core figure; wall time is printed too because the machine may
be shared. A cProfile run gives the per-signal cost of each step.

    .venv/bin/python benchmarks/noise_throughput.py [--signals 20000] [--seed 3] [--profile]

Measured 2026-11-28 on the shared 2-core box (load average ~10, so wall times are inflated),
20,000 signals, CPU µs per signal: parse 46; gate :memory: 116 per transaction / 66 batched;
gate WAL file 223 per transaction / 90 batched → parse+gate 6,200 / 8,900 signals/s in memory
and 3,700 / 7,400 signals/s on a file (one core, CPU time).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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


def run(signals: list[Signal], db: str, batch: int) -> tuple[float, float]:
    """(cpu seconds, wall seconds) to push all signals through a fresh gate."""
    gate = NoiseGate(open_db(db), CONFIG)
    cpu, wall = time.process_time(), time.perf_counter()
    if batch == 1:
        for s in signals:
            gate.process(s)
    else:
        for i in range(0, len(signals), batch):
            gate.process_batch(signals[i:i + batch])
    return time.process_time() - cpu, time.perf_counter() - wall


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
    """Measure and print the throughput table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    items = payloads(args.signals, args.seed)
    cpu, wall = time.process_time(), time.perf_counter()
    signals = parse_all(items)
    parse_cpu, parse_wall = time.process_time() - cpu, time.perf_counter() - wall
    n = len(signals)
    print(f"{n} signals from {len(items)} payloads; load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':40s} {'cpu µs/sig':>11s} {'wall µs/sig':>12s}")
    print(f"{'parse + fingerprint':40s} {parse_cpu / n * 1e6:11.1f} {parse_wall / n * 1e6:12.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, db, batch in (("gate, :memory:, 1 tx/signal", ":memory:", 1),
                                 ("gate, :memory:, batches of 200", ":memory:", 200),
                                 ("gate, WAL file, 1 tx/signal", f"{tmp}/a.db", 1),
                                 ("gate, WAL file, batches of 200", f"{tmp}/b.db", 200)):
            c, w = run(signals, db, batch)
            total = parse_cpu + c
            print(f"{label:40s} {c / n * 1e6:11.1f} {w / n * 1e6:12.1f}   "
                  f"parse+gate {n / total:7.0f} signals/s (cpu)")
        if args.profile:
            profile(items[: min(len(items), 10_000)], ":memory:")


if __name__ == "__main__":
    main()
