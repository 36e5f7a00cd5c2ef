"""The MCP server answered by the official SDK's own client: in-process, over stdio (a real
`triage mcp` child process) and over streamable HTTP with the bearer token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
import uvicorn
from mcp import Client, StdioServerParameters

from agent.config.loader import load_config
from agent.mcp.reader import TriageReader
from agent.mcp.server import build_server, http_app
from tests.conftest import DEMO_CONFIG
from tests.support.payloads import am_body

TOKEN = "mcp-test-token-0123456789"
TOOLS = {"search_knowledge", "get_decision", "list_open_incidents", "explain_decision"}


CORPUS = Path(__file__).resolve().parents[3] / "knowledge" / "corpus" / "runbooks"


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> TriageReader:
    """A home with two runbook folders and two decided signals (one incident), opened through
    the composition root as `triage mcp` opens it."""
    from agent.cli.options import open_pipeline_or_exit
    from agent.config.settings import Settings

    root = tmp_path_factory.mktemp("mcp-home")
    settings = Settings(_env_file=None, TRIAGE_HOME=str(root))
    pipeline = open_pipeline_or_exit(settings, load_config(DEMO_CONFIG), use_tools=False)
    for folder in ("kubernetes", "checkout-api"):
        pipeline.context.retriever.ingest_path(CORPUS / folder, kind="runbook")
    crash = am_body("KubePodCrashLooping", {"namespace": "payments", "service": "checkout-api",
                                            "severity": "warning"},
                    "Pod payments/checkout-api-7d9 is crash looping", "2026-12-01T09:00:00Z",
                    "mcp-crash")
    ticket = {"title": "Checkout is down", "body": "Customers cannot pay, checkout errors for "
              "everyone since 09:05", "reporter": "support", "created_at": "2026-12-01T09:06:00Z"}
    [alert] = pipeline.triage(crash, "alertmanager")
    [incident] = pipeline.triage(ticket, "ticket")
    assert alert.kind == "alert" and incident.kind == "incident"
    (root / "ids.json").write_text(json.dumps([alert.signal_id, incident.signal_id]))
    return TriageReader(pipeline)


@pytest.fixture(scope="module")
def home(reader: TriageReader) -> Path:
    """The reader's state folder (holds ids.json)."""
    return Path(reader.pipeline.store.conn.execute("PRAGMA database_list").fetchone()[2]).parent


def _ids(home: Path) -> tuple[str, str]:
    alert, incident = json.loads((home / "ids.json").read_text())
    return alert, incident


def test_in_process_tools_answer(reader: TriageReader, home: Path) -> None:
    alert_id, incident_id = _ids(home)

    async def go() -> None:
        async with Client(build_server(reader)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
            hits = await client.call_tool("search_knowledge",
                                          {"query": "KubePodCrashLooping", "k": 3})
            assert not hits.is_error
            assert hits.structured_content["hits"][0]["id"].endswith("KubePodCrashLooping.md")
            got = await client.call_tool("get_decision", {"signal_id": alert_id})
            assert got.structured_content["kind"] == "alert"
            assert got.structured_content["signal_id"] == alert_id
            opened = await client.call_tool("list_open_incidents", {})
            groups = opened.structured_content["incidents"]
            assert any(incident_id in g["signal_ids"] for g in groups)
            why = await client.call_tool("explain_decision", {"signal_id": incident_id})
            assert why.structured_content["kind"] == "incident"
            assert "ITIL" in why.structured_content["matrix"]
            assert why.structured_content["service"]["name"] == "checkout-api"
            missing = await client.call_tool("get_decision", {"signal_id": "sig-nope"})
            assert missing.is_error and "unknown signal 'sig-nope'" in missing.content[0].text

    anyio.run(go)


def test_stdio_transport_with_the_sdk_client(home: Path) -> None:
    alert_id, _ = _ids(home)
    env = {**os.environ, "TRIAGE_HOME": str(home), "TRIAGE_CONFIG": str(DEMO_CONFIG)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent.cli.main", "mcp"],
                                   env=env, cwd=str(Path(__file__).resolve().parents[3]))

    async def go() -> None:
        with anyio.fail_after(120):
            await session()

    async def session() -> None:
        async with Client(params) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            got = await client.call_tool("get_decision", {"signal_id": alert_id})
            assert got.structured_content["signal_id"] == alert_id
            hits = await client.call_tool("search_knowledge", {"query": "crash looping pod"})
            assert hits.structured_content["hits"]

    anyio.run(go)


@pytest.fixture
def http_server(reader: TriageReader) -> Iterator[str]:
    """The streamable HTTP app with the bearer token, on uvicorn on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = http_app(build_server(reader, token=TOKEN, base_url=base), host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_http_transport_requires_the_bearer_token(http_server: str, home: Path) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    alert_id, _ = _ids(home)
    hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    refused = httpx.post(f"{http_server}/mcp", json=hello)
    assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]
    wrong = httpx.post(f"{http_server}/mcp", json=hello,
                       headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401

    async def go() -> None:
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http, \
                Client(streamable_http_client(f"{http_server}/mcp", http_client=http)) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            why = await client.call_tool("explain_decision", {"signal_id": alert_id})
            assert why.structured_content["signal_id"] == alert_id

    anyio.run(go)


def test_http_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_MCP_TOKEN"}
    env["TRIAGE_HOME"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "agent.cli.main", "mcp", "--transport", "http"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "TRIAGE_MCP_TOKEN" in proc.stderr
