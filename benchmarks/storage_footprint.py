"""Benchmark: disk left under TRIAGE_HOME by deciding alerts (issue #12 storage targets).

Run: `.venv/bin/python benchmarks/storage_footprint.py [--small 3000] [--big-alerts 100]`.

Two scenarios, each on a fresh --home with the demo config, the project's runbooks in the
knowledge base, the offline reasoner, dry-run tools and the SQLite checkpointer (what `triage
serve` runs):

- `small`: N distinct one-alert Alertmanager bodies (target < 30 MB);
- `big`: one ~312 KB Grafana unified-alerting body with 100 alerts whose `message` renders every
  alert, as Grafana's default template does (target < 2 MB).

Reported per scenario: MB of the SQLite database (+WAL), of the checkpoints, and of the Chroma
folder's growth after the runbooks were ingested, against the targets (a ratio of the target).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.config.loader import load_config  # noqa: E402
from agent.config.settings import Settings  # noqa: E402
from agent.wiring import open_kb, open_pipeline  # noqa: E402

DEMO_CONFIG = ROOT / "agent" / "demo" / "config.yaml"
RUNBOOKS = ROOT / "knowledge" / "corpus" / "runbooks"
SERVICES = ["checkout-api", "orders-db", "search-api", "reporting", "auth-service", "web-frontend"]
ALERTS = [("HighCPU", "critical", "CPU at 97% for 5 minutes"),
          ("HighMemory", "warning", "memory at 91% for 10 minutes"),
          ("KubePodCrashLooping", "warning", "pod restarting 5 times in 10 minutes"),
          ("HighErrorRate", "critical", "5xx error rate 12% for 5 minutes"),
          ("DiskWillFillIn4Hours", "warning", "disk predicted to fill within 4 hours")]
MB = 1024 * 1024


def small_body(i: int) -> dict[str, Any]:
    """A distinct one-alert Alertmanager v4 body."""
    name, severity, summary = ALERTS[i % len(ALERTS)]
    service = SERVICES[(i // len(ALERTS)) % len(SERVICES)]
    starts = f"2026-12-01T{8 + (i // 3600) % 12:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
    labels = {"alertname": name, "severity": severity, "service": service,
              "instance": f"{service}-{i % 7}"}
    alert = {"status": "firing", "labels": labels,
             "annotations": {"summary": f"{summary} on {service}"}, "startsAt": starts,
             "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph",
             "fingerprint": f"bench{i:08x}"}
    return {"version": "4", "groupKey": f"bench:{i}", "truncatedAlerts": 0, "status": "firing",
            "receiver": "triage", "groupLabels": {"alertname": name}, "commonLabels": labels,
            "commonAnnotations": alert["annotations"], "externalURL": "http://alertmanager:9093",
            "alerts": [alert]}


def big_body(alerts: int = 100, target_bytes: int = 312 * 1024) -> dict[str, Any]:
    """A Grafana unified-alerting body of `alerts` alerts, about `target_bytes` long."""
    items = []
    for i in range(alerts):
        name, severity, summary = ALERTS[i % len(ALERTS)]
        labels = {"alertname": name, "severity": severity, "service": "checkout-api",
                  "instance": f"checkout-api-{i}", "grafana_folder": "Payments"}
        items.append({
            "status": "firing", "labels": labels,
            "annotations": {"summary": f"{summary} on checkout-api-{i}",
                            "description": f"{summary} on pod checkout-api-{i}. " * 12},
            "startsAt": f"2026-12-01T08:{i // 60:02d}:{i % 60:02d}Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://grafana:3000/alerting",
            "fingerprint": f"big{i:08x}", "silenceURL": "http://grafana:3000/alerting/silence",
            "dashboardURL": "", "panelURL": "", "values": {"B": 97.3, "C": 1}})
    body: dict[str, Any] = {
        "receiver": "triage", "status": "firing", "orgId": 1, "alerts": items,
        "groupLabels": {"alertname": "checkout"}, "commonLabels": {"service": "checkout-api"},
        "commonAnnotations": {}, "externalURL": "http://grafana:3000/", "version": "1",
        "groupKey": "{}:{alertname=\"checkout\"}", "truncatedAlerts": 0,
        "title": f"[FIRING:{alerts}] checkout", "state": "alerting"}
    rendered = "\n".join(f"**Firing**\nValue: B=97.3\nLabels:\n{json.dumps(a['labels'])}\n"
                         f"Annotations:\n{json.dumps(a['annotations'])}" for a in items)
    body["message"] = rendered
    size = len(json.dumps(body))
    if size < target_bytes:  # Grafana's message also links every panel and silence
        body["message"] += "\n" + "Source: http://grafana:3000/alerting/grafana/rule/view\n" * (
            (target_bytes - size) // 56)
    return body


def folder_mb(path: Path) -> float:
    """Size of every file under `path` (or of the file), in MB."""
    if path.is_file():
        return path.stat().st_size / MB
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB if path.exists() \
        else 0.0


def footprint(home: Path) -> dict[str, float]:
    """MB of the database (+WAL/SHM), the checkpoints and the whole Chroma folder."""
    def with_wal(name: str) -> float:
        return sum(folder_mb(home / f"{name}{suffix}") for suffix in ("", "-wal", "-shm"))
    return {"db": with_wal("triage.db"), "checkpoints": with_wal("checkpoints.db"),
            "chroma": folder_mb(home / "chroma")}


def run(scenario: str, bodies: list[dict[str, Any]]) -> dict[str, float]:
    """Decide every body on a fresh home; the footprint with Chroma as growth after setup."""
    with tempfile.TemporaryDirectory(prefix="triage-storage-") as tmp:
        home = Path(tmp)
        settings = Settings(home=home)
        config = load_config(DEMO_CONFIG)
        kb = open_kb(settings, config)
        kb.ingest_path(RUNBOOKS)
        before = footprint(home)["chroma"]
        pipeline = open_pipeline(settings, config, kb=kb)
        started = time.perf_counter()
        signals = 0
        for body in bodies:
            signals += len(pipeline.triage(body, "auto"))
        elapsed = time.perf_counter() - started
        pipeline.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        saver = pipeline.graph.checkpointer
        if saver is not None and hasattr(saver, "conn"):
            saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kb.close()
        sizes = footprint(home)
        sizes["chroma"] -= before
        sizes["total"] = sizes["db"] + sizes["checkpoints"] + sizes["chroma"]
        sizes["signals"] = signals
        sizes["seconds"] = elapsed
        return sizes


def main() -> None:
    """Run both scenarios and print MB against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=3000, help="one-alert bodies (3,000)")
    parser.add_argument("--big-alerts", type=int, default=100, help="alerts in the big body")
    parser.add_argument("--only", choices=["small", "big"], default=None)
    args = parser.parse_args()
    big = big_body(args.big_alerts)
    scenarios = {"small": ([small_body(i) for i in range(args.small)], 30.0),
                 "big": ([big], 2.0)}
    print(f"big body: {len(json.dumps(big)) / 1024:.0f} KB, {args.big_alerts} alerts")
    for name, (bodies, target) in scenarios.items():
        if args.only and name != args.only:
            continue
        s = run(name, bodies)
        verdict = "PASS" if s["total"] < target else "FAIL"
        print(f"{name:5s} {int(s['signals']):5d} signals in {s['seconds']:.0f}s: "
              f"db {s['db']:.2f} MB + checkpoints {s['checkpoints']:.2f} MB + chroma growth "
              f"{s['chroma']:.2f} MB = {s['total']:.2f} MB; target < {target:.0f} MB "
              f"({s['total'] / target:.2f} of target) {verdict}")


if __name__ == "__main__":
    main()
