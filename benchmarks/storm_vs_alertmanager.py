"""Benchmark: an alert storm into `triage serve` and into Alertmanager, the same storm for both.

Run: `.venv/bin/python benchmarks/storm_vs_alertmanager.py [--alerts 10000] [--copies 2]
[--groups 40] [--rate 2000] [--max-backlog 20000] [--split] [--json]` (needs `apt-get install -y
prometheus-alertmanager`).

The storm: `alerts` distinct alerts (distinct instances) in `groups` groups of the demo
config's `group_by` (alertname, service), each sent `copies` times (an HA pair of senders:
the copies differ as deliveries, not as alerts), offered open-loop at `rate` posts/s by the
same asyncio client for both servers (a 503 is retried after its Retry-After, as senders do).
`probe_at` seconds in, a new incident-class signal (critical HighErrorRate on the tier-1
checkout service, a group of its own) is sent. Reported for Triage (as users run it: bundled
knowledge base, decision worker, SQLite under --home): time from each group's first arrival to
its first decision (p50/p95/max, share within 5 s), the probe's time to decision, 503s and
retries, decisions made, notifications (decisions that would page: alerts and incidents, not
duplicates, not suppressed, notify set), peak RSS of the serve process, disk per 10,000
decisions (database, WAL and checkpoints; the knowledge base excluded). For Alertmanager
(group_wait 1s, group_interval 5m, a webhook receiver in this process): notifications sent for
the same storm and how long the probe's notification took. `--split` runs Triage as an
ingest-only `triage serve --no-decide` plus one deciding `triage serve` on the same --home (peak
RSS is then the two processes together).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import (  # noqa: E402
    DEMO_CONFIG,
    alertmanager_config,
    free_port,
    new_token,
    prepare_kb,
    rss_mb,
    start_alertmanager,
    start_triage,
)
from storm_client import storm  # noqa: E402

from agent.kernel.packing import stored_json  # noqa: E402

NAMES = ["TargetDown", "HighLatency", "HighErrorRate", "KubePodCrashLooping", "NodeNotReady",
         "HighCPU", "HighMemory", "DiskPressure", "PacketLoss", "ProbeFailed"]
SERVICES = ["search-api", "orders-db", "reporting", "web-frontend", "auth-service",
            "checkout-api"]
STARTS = "2026-12-01T10:00:00Z"


def storm_alert(j: int, groups: int) -> dict[str, Any]:
    """Distinct alert j of the storm (group j % groups)."""
    g = j % groups
    name, service = NAMES[g % len(NAMES)], SERVICES[(g // len(NAMES)) % len(SERVICES)]
    return {"labels": {"alertname": name, "service": service, "instance": f"node-{j}",
                       "severity": "critical" if g % 4 == 0 else "warning"},
            "annotations": {"summary": f"{name} on node-{j} ({service})"},
            "startsAt": STARTS, "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph"}


def webhook(alert: dict[str, Any], receiver: str) -> bytes:
    """Alertmanager's webhook v4 body carrying one alert, as Triage receives it."""
    labels = alert["labels"]
    fp = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
    body = {"version": "4", "groupKey": f'{{}}:{{alertname="{labels["alertname"]}"}}',
            "truncatedAlerts": 0, "status": "firing", "receiver": receiver,
            "groupLabels": {"alertname": labels["alertname"]}, "commonLabels": labels,
            "commonAnnotations": alert["annotations"], "externalURL": "http://am:9093",
            "alerts": [{"status": "firing", **alert, "fingerprint": fp}]}
    return json.dumps(body).encode()


PROBE = {"labels": {"alertname": "CheckoutErrorBudgetBurn", "service": "checkout-api",
                    "severity": "critical", "instance": "checkout-api-1"},
         "annotations": {"summary": "checkout-api 5xx error rate 35% for 5 minutes, "
                                    "customers cannot pay"},
         "startsAt": "2026-12-01T10:00:05Z", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "http://prometheus:9090/graph"}


def bodies_for(alerts: int, copies: int, groups: int, triage: bool) -> list[bytes]:
    """The storm in sending order (copies of one alert adjacent)."""
    out = []
    for j in range(alerts):
        alert = storm_alert(j, groups)
        for c in range(copies):
            out.append(webhook(alert, f"triage-{c}") if triage else json.dumps([alert]).encode())
    return out


class Sink:
    """A webhook receiver for Alertmanager's notifications (loopback, counts and times them)."""

    def __init__(self) -> None:
        self.notes: list[tuple[float, dict[str, Any]]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                data = self.rfile.read(int(self.headers.get("content-length", 0)))
                sink.notes.append((time.time(), json.loads(data)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()


def pct(values: list[float], q: float) -> float:
    """Nearest-rank quantile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _probe(url: str, path: str, body: bytes, at: float, headers: dict[str, str]
                 ) -> tuple[float, dict[str, Any]]:
    import httpx

    await asyncio.sleep(at)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as c:
        for _ in range(30):
            sent = time.time()
            r = await c.post(path, content=body, headers={"content-type": "application/json"})
            if r.status_code != 503:
                return sent, (r.json() if r.content else {})
            await asyncio.sleep(float(r.headers.get("retry-after", "1")))
    return sent, {}


def run_storm(url: str, path: str, bodies: list[bytes], probe: bytes, args: argparse.Namespace,
              headers: dict[str, str]) -> tuple[Any, tuple[float, dict[str, Any]]]:
    """The storm and the probe, concurrently."""
    async def both() -> tuple[Any, tuple[float, dict[str, Any]]]:
        return await asyncio.gather(
            storm(url, path, bodies, rate=args.rate, connections=args.connections,
                  headers=headers, deadline_s=args.deadline),
            _probe(url, path, probe, args.probe_at, headers))
    return asyncio.run(both())


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def triage_side(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run the storm into `triage serve` and read the outcome from its database."""
    home, token = tmp / "triage", new_token()
    prepare_kb(home)
    config = tmp / "config.yaml"
    config.write_text(DEMO_CONFIG.read_text() + f"\ningest: {{max_backlog: {args.max_backlog}}}\n")
    server = start_triage(home, token, config, flags=("--no-decide",) if args.split else ())
    decider = start_triage(home, token, config) if args.split else None
    pids = [server.pid] + ([decider.pid] if decider else [])
    rss: list[float] = []
    each: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            now = {pid: rss_mb(pid) for pid in pids}
            rss.append(sum(now.values()))
            each.update({p: max(each.get(p, 0.0), v) for p, v in now.items()})
            done.wait(0.5)

    threading.Thread(target=sample, daemon=True).start()
    auth = {"Authorization": f"Bearer {token}"}
    try:
        stats, (probe_sent, probe_out) = run_storm(
            server.url, "/v1/webhooks/alertmanager",
            bodies_for(args.alerts, args.copies, args.groups, True),
            webhook(PROBE, "triage-0"), args, auth)
        probe_id = (probe_out.get("signal_ids") or [None])[0]
        outcome = _wait_first_decisions(home / "triage.db", args, probe_id)
    finally:
        done.set()
        server.stop()
        if decider is not None:
            decider.stop()
    files = {f.name: round(f.stat().st_size / 2**20, 1) for f in sorted(home.glob("*.db*"))}
    disk = sum(f.stat().st_size for f in home.glob("*.db*"))
    statuses = stats.by_status()
    acks = [a.latency_s for a in stats.answers if a.status == 202]
    decided = outcome["decisions"]
    return {**outcome, "offered_rate": args.rate,
            "sent_per_s": round(len(stats.answers) / max(1e-9, stats.finished - stats.started), 1),
            "accepted_202": statuses.get(202, 0), "answered_503": statuses.get(503, 0),
            "retries": stats.retries, "given_up": stats.given_up, "client_errors": stats.errors,
            "probe_ack_to_decision_s": outcome.pop("probe_s", None),
            "peak_rss_mb": round(max(rss), 1) if rss else None,
            "peak_rss_mb_each": [round(each[p], 1) for p in pids if p in each],
            "disk_mb": round(disk / 2**20, 1), "disk_files_mb": files,
            "disk_mb_per_10k_decisions": round(disk / 2**20 / decided * 10_000, 1)
            if decided and decided >= outcome["stored_signals"] else "not drained",
            "ack_ms_p50": round(1000 * pct(acks, 0.5), 1) if acks else None,
            "ack_ms_p99": round(1000 * pct(acks, 0.99), 1) if acks else None}


def _wait_first_decisions(db: Path, args: argparse.Namespace, probe_id: str | None
                          ) -> dict[str, Any]:
    """Poll until every group has a first decision (or the drain timeout); the figures."""
    deadline = time.monotonic() + args.drain_timeout
    while True:
        conn = sqlite3.connect(str(db), timeout=30)
        try:
            rows = conn.execute(
                "SELECT s.body, s.service, s.received_at, "
                "c.done_at FROM signals s LEFT JOIN service_claims c ON c.signal_id = "
                "s.signal_id AND c.state = 'done'").fetchall()
            decisions = conn.execute("SELECT body FROM decisions").fetchall()
            probe = conn.execute("SELECT s.received_at, c.done_at FROM signals s JOIN "
                                 "service_claims c ON c.signal_id = s.signal_id WHERE "
                                 "s.signal_id = ? AND c.state = 'done'",
                                 (probe_id or "",)).fetchone()
        finally:
            conn.close()
        groups: dict[tuple[str, str], list[float | None]] = {}
        for body, service, received, done_at in rows:
            name = stored_json(body).get("labels", {}).get("alertname")
            first = groups.setdefault((name, service), [None, None])
            t = _epoch(received)
            first[0] = t if first[0] is None else min(first[0], t)
            if done_at is not None:
                first[1] = done_at if first[1] is None else min(first[1], done_at)
        storm_groups = {k: v for k, v in groups.items() if k[0] != PROBE["labels"]["alertname"]}
        all_first = all(v[1] is not None for v in storm_groups.values())
        drained = not args.drain_all or len(decisions) >= len(rows)
        if (all_first and probe and drained) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    waits = [v[1] - v[0] for v in storm_groups.values() if v[1] is not None]
    notes = 0
    for (body,) in decisions:
        d = stored_json(body)
        noise = d.get("noise") or {}
        if d["kind"] in ("alert", "incident") and not noise.get("duplicate_of") \
                and not noise.get("suppressed_by") and noise.get("notify", True):
            notes += 1
    return {"groups": len(storm_groups), "groups_first_decided": len(waits),
            "first_decision_s_p50": round(pct(waits, 0.5), 2) if waits else None,
            "first_decision_s_p95": round(pct(waits, 0.95), 2) if waits else None,
            "first_decision_s_max": round(max(waits), 2) if waits else None,
            "groups_within_5s": sum(w <= 5.0 for w in waits),
            "probe_s": round(probe[1] - _epoch(probe[0]), 2) if probe else None,
            "decisions": len(decisions), "stored_signals": len(rows),
            "notifications": notes}


def alertmanager_side(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run the same storm into Alertmanager; count the notifications it sends."""
    sink = Sink()
    am = start_alertmanager(tmp / "am", alertmanager_config(
        group_wait="1s", webhook=f"http://127.0.0.1:{sink.port}/"))
    try:
        stats, (probe_sent, _) = run_storm(
            am.url, "/api/v2/alerts", bodies_for(args.alerts, args.copies, args.groups, False),
            json.dumps([PROBE]).encode(), args, {})
        time.sleep(3.0)  # group_wait 1s plus the dispatcher's tick
    finally:
        am.stop()
        sink.close()
    probe_note = [t for t, n in sink.notes
                  if n.get("groupLabels", {}).get("alertname") == PROBE["labels"]["alertname"]]
    statuses = stats.by_status()
    return {"offered_rate": args.rate,
            "sent_per_s": round(len(stats.answers) / max(1e-9, stats.finished - stats.started), 1),
            "accepted_2xx": sum(v for k, v in statuses.items() if 200 <= k < 300),
            "ack_ms_p99": round(1000 * pct([a.latency_s for a in stats.answers], 0.99), 1)
            if stats.answers else None,
            "answered_503": statuses.get(503, 0), "notifications": len(sink.notes),
            "probe_send_to_notification_s": round(probe_note[0] - probe_sent, 2)
            if probe_note else None}


def main() -> None:
    """Run both sides and print the figures (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--probe-at", type=float, default=5.0)
    parser.add_argument("--max-backlog", type=int, default=20_000)
    parser.add_argument("--deadline", type=float, default=60.0,
                        help="seconds the client keeps retrying 503s")
    parser.add_argument("--drain-timeout", type=float, default=60.0)
    parser.add_argument("--drain-all", action="store_true",
                        help="wait until every stored signal is decided (disk per decision)")
    parser.add_argument("--split", action="store_true",
                        help="an ingest-only triage process plus a deciding one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.groups = min(args.groups, len(NAMES) * len(SERVICES))
    with tempfile.TemporaryDirectory(prefix="triage-storm-") as tmp:
        am = alertmanager_side(args, Path(tmp))
        triage = triage_side(args, Path(tmp))
    report = {"storm": {"alerts": args.alerts, "copies": args.copies, "groups": args.groups,
                        "rate": args.rate}, "alertmanager": am, "triage": triage,
              "notifications_triage_vs_alertmanager":
                  f"{triage['notifications']} vs {am['notifications']}"}
    if args.json:
        print(json.dumps(report))
        return
    for side in ("storm", "alertmanager", "triage"):
        print(f"{side}:")
        for key, value in report[side].items():
            print(f"  {key:>32}: {value}")
    print("notifications (Triage vs Alertmanager): "
          f"{report['notifications_triage_vs_alertmanager']}")
    if triage["first_decision_s_p50"] is not None:
        print(f"first decision per group: p50 {triage['first_decision_s_p50']} s, "
              f"max {triage['first_decision_s_max']} s; "
              f"{triage['groups_within_5s']}/{triage['groups']} groups within 5 s")


if __name__ == "__main__":
    main()
