"""`triage serve` as users start it: real processes on a fresh --home, webhooks in, decisions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.agent.service.conftest import cpu_alert
from tests.conftest import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "cli-test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def triage_serve(home: Path) -> Iterator[str]:
    """`triage serve` on a free port with a webhook token; yields its URL once healthy."""
    port = _free_port()
    env = {**os.environ, "TRIAGE_WEBHOOK_TOKEN": TOKEN}
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TRIAGE_CONFIG", "TRIAGE_HOME"):
        env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "serve", "--home", str(home), "--config",
         str(DEMO_CONFIG), "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "triage serve did not come up"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def _decision(c: httpx.Client, signal_id: str) -> httpx.Response:
    for _ in range(300):
        got = c.get(f"/v1/signals/{signal_id}", headers=AUTH)
        if got.status_code != 202:
            return got
        time.sleep(0.1)
    return got


@pytest.mark.slow
def test_triage_serve_process_end_to_end(tmp_path: Path) -> None:
    with triage_serve(tmp_path) as url, httpx.Client(base_url=url, timeout=10) as c:
        assert c.post("/v1/webhooks/alertmanager", json=cpu_alert()).status_code == 401
        ids = c.post("/v1/webhooks/alertmanager", json=cpu_alert(),
                     headers=AUTH).json()["signal_ids"]
        got = _decision(c, ids[0])
        assert got.status_code == 200 and got.json()["kind"] == "alert"
        assert c.get("/metrics").status_code == 401  # closed by default: metrics need read
        assert "triage_decisions_total" in c.get("/metrics", headers=AUTH).text
    assert (tmp_path / "triage.db").exists()


@pytest.mark.slow
def test_two_processes_on_one_home_decide_each_signal_once(tmp_path: Path) -> None:
    with triage_serve(tmp_path) as a, triage_serve(tmp_path) as b:
        def send(i: int) -> list[list[str]]:
            body = cpu_alert(fp=f"fp{i}", starts=f"2026-12-01T09:{i:02d}:00Z")
            with httpx.Client(timeout=10, headers=AUTH) as c:  # each body to both processes
                return [c.post(f"{u}/v1/webhooks/alertmanager", json=body).json()["signal_ids"]
                        for u in (a, b)]

        with ThreadPoolExecutor(4) as pool:
            pairs = list(pool.map(send, range(20)))
        assert all(first == second for first, second in pairs)
        with httpx.Client(base_url=a, timeout=10) as c:
            assert all(_decision(c, p[0][0]).status_code == 200 for p in pairs)
        counted = 0.0
        for url in (a, b):
            for line in httpx.get(f"{url}/metrics", headers=AUTH).text.splitlines():
                if line.startswith("triage_decisions_total{"):
                    counted += float(line.rsplit(" ", 1)[1])
        assert counted == 20  # 40 deliveries, 20 signals, 20 decisions across both processes
