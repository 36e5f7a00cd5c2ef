"""Crash safety of the ack path: kill -9 right after the 202s loses nothing and decides once.

Runs `triage serve` for real (the CLI entry point, SQLite under a tmp --home), posts a burst
of distinct alerts, kills the process with SIGKILL as soon as the last 202 arrives (most are
still undecided then), starts it again on the same home and waits: every acked signal gets
exactly one decision, a sender's redelivery of the same bodies after the restart returns the
first ids and stores nothing new, and no decision is made twice.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.payloads import am_body

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "crash-test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
N = 150

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRIAGE_WEBHOOK_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "serve", "--home", str(home), "--config",
         str(ROOT / "agent" / "demo" / "config.yaml"), "--port", str(port),
         "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "triage serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("triage serve did not start")


def _body(i: int) -> dict[str, Any]:
    return am_body(f"Crash{i % 7}", {"service": "search-api", "severity": "warning",
                                     "instance": f"i-{i}"}, f"disk at 91% on i-{i}",
                   "2026-12-01T09:15:00Z", f"crash-{i}")


def _post_all(url: str) -> list[str]:
    with httpx.Client(base_url=url, headers=AUTH, timeout=30) as c:
        def post(i: int) -> str:
            r = c.post("/v1/webhooks/alertmanager", content=json.dumps(_body(i)))
            assert r.status_code == 202, r.text
            return str(r.json()["signal_ids"][0])
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(post, range(N)))


def _count(db: Path, sql: str, *args: Any) -> int:
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()


def test_kill_9_after_the_202s_loses_no_acked_alert_and_decides_each_once(
        tmp_path: Path) -> None:
    home, port = tmp_path / "home", _port()
    db = home / "triage.db"
    proc = _serve(home, port)
    try:
        ids = _post_all(f"http://127.0.0.1:{port}")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    decided_at_kill = _count(db, "SELECT COUNT(*) FROM decisions")
    assert _count(db, "SELECT COUNT(*) FROM signals") == N  # every 202 was on disk
    assert decided_at_kill < N, "the kill came too late to test anything"

    proc = _serve(home, port)
    try:
        deadline = time.monotonic() + 240
        while _count(db, "SELECT COUNT(*) FROM decisions") < N:
            assert time.monotonic() < deadline, "acked signals were not all decided"
            time.sleep(0.5)
        again = _post_all(f"http://127.0.0.1:{port}")  # a sender retries every body
        assert again == ids
        time.sleep(2.0)
    finally:
        proc.terminate()
        proc.wait(30)
    marks = ",".join("?" * len(ids))
    assert _count(db, f"SELECT COUNT(*) FROM decisions WHERE signal_id IN ({marks})",
                  *ids) == N
    assert _count(db, "SELECT COUNT(*) FROM signals") == N  # the retries stored nothing
    assert _count(db, "SELECT COUNT(*) FROM decisions") == N  # one decision per signal
