"""The real Bolt app served over HTTP (FastAPI + uvicorn on 127.0.0.1) against a local Slack
Web API stand-in; requests are signed exactly as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from agent.config.org import OrgConfig
from agent.config.sections import ToolsSection
from agent.config.settings import Settings
from agent.pipeline import Pipeline
from agent.slack.app import build_bolt_app
from agent.slack.http import SLACK_EVENTS_PATH, mount_slack
from agent.wiring import build_pipeline
from tests.support.slack_api import TEAM_ID, SlackApiStandIn

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234-5678-test-bot-token"
FIXED_NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RUNBOOK = """---
title: Checkout API down
alerts: [CheckoutApiDown]
services: [checkout-api]
actions: [systemd_restart]
---
# Checkout API down

Restart the checkout-api service unit when the process is wedged; check payments afterwards.
"""


def alert_body(name: str, labels: dict[str, str], summary: str, starts: str,
               fp: str) -> dict[str, Any]:
    """An Alertmanager v4 webhook body with one firing alert."""
    alert = {"status": "firing", "labels": {"alertname": name, **labels},
             "annotations": {"summary": summary}, "startsAt": starts,
             "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph",
             "fingerprint": fp}
    return {"version": "4", "groupKey": f'{{}}:{{alertname="{name}"}}', "truncatedAlerts": 0,
            "status": "firing", "receiver": "triage", "groupLabels": {"alertname": name},
            "commonLabels": alert["labels"], "commonAnnotations": alert["annotations"],
            "externalURL": "http://alertmanager:9093", "alerts": [alert]}


def sign(body: str, secret: str = SIGNING_SECRET, ts: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for `body`."""
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


@contextmanager
def serve(api: FastAPI) -> Iterator[str]:
    """Run `api` under uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@dataclass
class SlackHarness:
    """Signed requests to the served Bolt app, plus the stand-in that records Web API calls."""

    url: str
    api: SlackApiStandIn
    pipeline: Pipeline
    http: httpx.Client

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
             secret: str = SIGNING_SECRET) -> httpx.Response:
        """POST a raw body signed with `secret` to /slack/events."""
        return self.http.post(f"{self.url}{SLACK_EVENTS_PATH}", content=body, headers={
            "Content-Type": content_type, **sign(body, secret), **(headers or {})})

    def event(self, event: dict[str, Any], event_id: str,
              headers: dict[str, str] | None = None) -> httpx.Response:
        """An Events API `event_callback` envelope."""
        envelope = {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0TRIAGE",
                    "type": "event_callback", "event_id": event_id, "event_time": 1764579600,
                    "authorizations": [{"team_id": TEAM_ID, "user_id": "UTRIAGEBOT",
                                        "is_bot": True}],
                    "event": event}
        return self.post(json.dumps(envelope), "application/json", headers)

    def command(self, text: str, user: str = "U0ALICE01", channel: str = "C0GENERAL",
                trigger: str = "13345224609.738474920.8088930838d88f008e0") -> httpx.Response:
        """A `/triage` slash command (form-encoded, response_url on the stand-in)."""
        form = {"token": "legacy", "team_id": TEAM_ID, "team_domain": "acme",
                "channel_id": channel, "channel_name": "general", "user_id": user,
                "user_name": "alice", "command": "/triage", "text": text,
                "api_app_id": "A0TRIAGE", "response_url": f"{self.api.url}/commands/{trigger}",
                "trigger_id": trigger}
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        """An interactivity request (block_actions, view_submission): form field `payload`."""
        base = {"team": {"id": TEAM_ID, "domain": "acme"}, "api_app_id": "A0TRIAGE",
                "token": "legacy", "trigger_id": "1111.2222.abcd"}
        body = urlencode({"payload": json.dumps({**base, **payload})})
        return self.post(body, "application/x-www-form-urlencoded")


def block_action(user: str, action_id: str, value: str, channel: str,
                 message_ts: str) -> dict[str, Any]:
    """A block_actions payload for one button click on a bot message."""
    return {"type": "block_actions", "user": {"id": user, "username": user, "team_id": TEAM_ID},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": "payments-oncall"},
            "message": {"type": "message", "ts": message_ts, "bot_id": "BTRIAGEBOT",
                        "text": "decision"},
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button",
                         "value": value, "action_ts": "1764579700.000100"}]}


@pytest.fixture
def slack_api() -> Iterator[SlackApiStandIn]:
    """The local Web API stand-in."""
    api = SlackApiStandIn().start()
    yield api
    api.stop()


@pytest.fixture
def slack_settings(tmp_path: Path, slack_api: SlackApiStandIn) -> Settings:
    """Settings as the environment would give them (API URL deliberately without "/")."""
    return Settings(_env_file=None, TRIAGE_HOME=str(tmp_path), SLACK_BOT_TOKEN=BOT_TOKEN,
                    SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    TRIAGE_SLACK_API_URL=slack_api.base_url.rstrip("/"))


@pytest.fixture(scope="session")
def runbook_kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real knowledge base (Chroma + ONNX + FTS) holding one runbook with a risky action."""
    from knowledge.base import KnowledgeBase

    root = tmp_path_factory.mktemp("slack-kb")
    (root / "runbooks").mkdir()
    (root / "runbooks" / "CheckoutApiDown.md").write_text(RUNBOOK)
    kb = KnowledgeBase.open(root / "kb")
    kb.ingest_path(root / "runbooks", kind="runbook")
    return kb


@pytest.fixture
def fake_systemctl(tmp_path: Path) -> tuple[Path, Path]:
    """(bin dir with a fake systemctl that logs its argv, the argv log)."""
    bindir, log = tmp_path / "bin", tmp_path / "argv.log"
    bindir.mkdir()
    fake = bindir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "systemctl $*" >> {log}\n')
    fake.chmod(0o755)
    return bindir, log


HarnessFactory = Callable[..., SlackHarness]


@pytest.fixture
def harness(tmp_path: Path, demo_config: OrgConfig, slack_api: SlackApiStandIn,
            slack_settings: Settings) -> Iterator[HarnessFactory]:
    """Factory: a pipeline on SQLite under tmp_path, the Bolt app on it, served over HTTP."""
    stack: list[Any] = []

    def make(*, retriever: Any = None, tools_bin: Path | None = None,
             process_before_response: bool = True,
             explainer: Callable[..., str] | None = None,
             triage: Callable[..., Any] | None = None, chat: Any = None) -> SlackHarness:
        db = tmp_path / "triage.db"
        tools = None
        if tools_bin is not None:
            from tools.runtime import ToolRuntime

            tools = ToolRuntime.open(db, ToolsSection(bin_path=f"{tools_bin}:/usr/bin:/bin"),
                                     demo_config)
        pipeline = build_pipeline(config=demo_config, settings=slack_settings, db_path=db,
                                  checkpointer="sqlite", retriever=retriever, tools=tools)
        bolt = build_bolt_app(slack_settings, demo_config, pipeline,
                              process_before_response=process_before_response,
                              clock=lambda: FIXED_NOW, explainer=explainer,
                              triage=triage, chat=chat)
        api = FastAPI()
        mount_slack(api, bolt)
        ctx = serve(api)
        url = ctx.__enter__()
        http = httpx.Client(timeout=30)
        stack.append((ctx, http))
        return SlackHarness(url, slack_api, pipeline, http)

    yield make
    for ctx, http in stack:
        http.close()
        ctx.__exit__(None, None, None)
