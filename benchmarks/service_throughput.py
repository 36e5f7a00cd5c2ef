"""Benchmark: `triage serve` ingest throughput and time-to-decision over loopback HTTP.

Run: `.venv/bin/python benchmarks/service_throughput.py [--n 2000] [--threads 4] [--rate R]`.
Starts `triage serve` as a subprocess on a fresh --home (demo config, offline reasoner), POSTs
N distinct Alertmanager bodies from a few httpx threads, and reports accepted bodies per second,
p50/p95 latency of the 202 and p50/p95 time from sending a body to its decision being stored
(read from the service's claim rows). A burst queues decisions behind each other; --rate paces
the senders below the decision rate to see the unqueued time-to-decision. Use --url to
measure an already running service instead (time-to-decision then needs --db, its triage.db).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "agent" / "demo" / "config.yaml"
SERVICES = ["checkout-api", "orders-db", "search-api", "reporting", "auth-service", "web-frontend"]
ALERTS = [("HighCPU", "critical", "CPU at 97% for 5 minutes"),
          ("HighMemory", "warning", "memory at 91% for 10 minutes"),
          ("KubePodCrashLooping", "warning", "pod restarting 5 times in 10 minutes"),
          ("HighErrorRate", "critical", "5xx error rate 12% for 5 minutes"),
          ("DiskWillFillIn4Hours", "warning", "disk predicted to fill within 4 hours")]


def body(i: int) -> dict[str, Any]:
    """A distinct Alertmanager v4 body (own fingerprint and start time)."""
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


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = secrets.token_urlsafe(24)  # the service is closed by default
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`triage serve` on a fresh home; returns once /healthz answers."""
    cmd = [sys.executable, "-m", "agent.cli.main", "serve", "--home", str(home), "--config",
           str(DEMO_CONFIG), "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            env={**os.environ, "TRIAGE_WEBHOOK_TOKEN": TOKEN})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"triage serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("triage serve did not start within 120 s")


def post_all(url: str, n: int, threads: int,
             rate: float = 0.0) -> list[tuple[int, float, float, list[str]]]:
    """POST n bodies (paced at `rate`/s when > 0); (index, sent_at, latency s, signal ids)."""
    results: list[tuple[int, float, float, list[str]]] = []
    lock = threading.Lock()
    local = threading.local()
    start = time.perf_counter()

    def send(i: int) -> None:
        if rate > 0:
            time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=30, headers=AUTH)
        data = json.dumps(body(i)).encode()
        sent, t0 = time.time(), time.perf_counter()
        r = local.client.post("/v1/webhooks/alertmanager", content=data,
                              headers={"content-type": "application/json"})
        latency = time.perf_counter() - t0
        if r.status_code != 202:
            raise SystemExit(f"body {i}: HTTP {r.status_code}: {r.text[:200]}")
        with lock:
            results.append((i, sent, latency, r.json()["signal_ids"]))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(n)))
    return results


def wait_decided(db: Path, ids: list[str], timeout: float) -> dict[str, float]:
    """Poll the service's claim rows until every id is done; signal id → done_at."""
    deadline = time.monotonic() + timeout
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        while True:
            rows = conn.execute("SELECT signal_id, done_at FROM service_claims "
                                "WHERE state = 'done'").fetchall()
            done = {r[0]: r[1] for r in rows}
            if all(i in done for i in ids) or time.monotonic() > deadline:
                return done
            time.sleep(0.25)
    finally:
        conn.close()


def main() -> None:
    """Run the benchmark and print a summary (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="bodies to send (max 20000)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="bodies per second (0: as fast as possible)")
    parser.add_argument("--url", help="an already running service (skip starting one)")
    parser.add_argument("--db", type=Path, help="its triage.db, for time-to-decision")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n = max(1, min(args.n, 20_000))
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        proc, db, url = None, args.db, args.url
        if url is None:
            port = free_port()
            proc = start_server(Path(tmp), port)
            url, db = f"http://127.0.0.1:{port}", Path(tmp) / "triage.db"
        try:
            started = time.perf_counter()
            results = post_all(url, n, args.threads, args.rate)
            ingest_s = time.perf_counter() - started
            ids = [sid for r in results for sid in r[3]]
            done = wait_decided(db, ids, args.timeout) if db else {}
            all_done_s = time.perf_counter() - started
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
    latencies = [r[2] for r in results]
    ttd = [done[sid] - r[1] for r in results for sid in r[3] if sid in done]
    report = {"bodies": n, "threads": args.threads, "rate": args.rate or "max",
              "ingest_s": round(ingest_s, 2),
              "accepted_per_s": round(n / ingest_s, 1),
              "latency_202_ms_p50": round(1000 * pct(latencies, 0.5), 1),
              "latency_202_ms_p95": round(1000 * pct(latencies, 0.95), 1),
              "decided": len(ttd), "decisions_per_s": round(len(ttd) / all_done_s, 1),
              "time_to_decision_s_p50": round(pct(ttd, 0.5), 2) if ttd else None,
              "time_to_decision_s_p95": round(pct(ttd, 0.95), 2) if ttd else None,
              "time_to_decision_s_mean": round(statistics.fmean(ttd), 2) if ttd else None}
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
