"""`langgraph dev` (in-memory server, langgraph-cli[inmem]) serves the exported graph: the
assistant's schemas load and a run on one Alertmanager alert completes with a decision.

Slow suite (`make test-slow` installs the `studio` extra); about 30 s.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_CONFIG
from tests.support.payloads import am_body

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dev_server(tmp_path: Path):
    """A `langgraph dev` process on a free loopback port, run from a copy of langgraph.json."""
    cli = Path(sys.executable).with_name("langgraph")
    if not cli.exists():
        pytest.skip("langgraph-cli[inmem] is not installed (pip install '.[studio]')")
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "langgraph.json", work / "langgraph.json")
    (work / "agent").symlink_to(ROOT / "agent")
    port = _free_port()
    env = {**os.environ, "TRIAGE_HOME": str(tmp_path / "home"), "TRIAGE_CONFIG": str(DEMO_CONFIG),
           "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false",
           "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "dev.log").open("w")
    proc = subprocess.Popen([str(cli), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=work, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "dev.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("not started: " + (tmp_path / "dev.log").read_text()[-3000:])
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_langgraph_dev_runs_the_graph_on_one_alert(dev_server: str, tmp_path: Path) -> None:
    with httpx.Client(base_url=dev_server, timeout=120) as client:
        assistants = client.post("/assistants/search", json={"graph_id": "triage"}).json()
        assistant = assistants[0]["assistant_id"]
        schemas = client.get(f"/assistants/{assistant}/schemas")
        assert schemas.status_code == 200, schemas.text
        body = schemas.json()
        assert "payload" in body["input_schema"]["properties"]
        assert "decision" in body["output_schema"]["properties"]
        assert "home" in body["context_schema"]["properties"]

        alert = am_body("CheckoutHigh5xxRate", {"service": "checkout-api", "severity": "critical"},
                        "checkout-api 5xx rate 12% for 10 minutes", "2026-12-01T09:00:00Z",
                        "studio-dev-1")
        thread = client.post("/threads", json={}).json()["thread_id"]
        run = client.post(f"/threads/{thread}/runs/wait",
                          json={"assistant_id": assistant, "input": {"payload": alert}})
        assert run.status_code == 200, run.text
        decision = run.json()["decision"]
        assert decision["source"] == "alertmanager" and decision["team"] == "payments"
        assert decision["kind"] in {"alert", "incident"}
        state = client.get(f"/threads/{thread}/state").json()
        assert state["next"] == [] and state["values"]["decision"]["signal_id"]
