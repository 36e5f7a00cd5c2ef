"""`triage serve` as users start it: a real process on a fresh --home, webhook in, decision out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.agent.service.conftest import cpu_alert
from tests.conftest import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_triage_serve_process_end_to_end(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TRIAGE_WEBHOOK_TOKEN": "cli-test-token-123"}
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TRIAGE_CONFIG", "TRIAGE_HOME"):
        env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "serve", "--home", str(tmp_path), "--config",
         str(DEMO_CONFIG), "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url, auth = f"http://127.0.0.1:{port}", {"Authorization": "Bearer cli-test-token-123"}
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
        with httpx.Client(base_url=url, timeout=10) as c:
            assert c.post("/v1/webhooks/alertmanager", json=cpu_alert()).status_code == 401
            ids = c.post("/v1/webhooks/alertmanager", json=cpu_alert(),
                         headers=auth).json()["signal_ids"]
            for _ in range(150):
                got = c.get(f"/v1/signals/{ids[0]}", headers=auth)
                if got.status_code == 200:
                    break
                time.sleep(0.1)
            assert got.status_code == 200 and got.json()["kind"] == "alert"
            assert "triage_decisions_total" in c.get("/metrics").text
    finally:
        proc.terminate()
        proc.wait(30)
    assert (tmp_path / "triage.db").exists()
