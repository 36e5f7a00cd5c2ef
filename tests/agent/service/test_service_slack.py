"""The Slack hook of the service: /slack/events mounted, decisions posted once (local Web API)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.agent.service.conftest import AUTH, cpu_alert, serve_live, settings_for
from tests.support.slack_api import SlackApiStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def slack_api() -> Iterator[SlackApiStandIn]:
    """Slack's Web API stand-in on 127.0.0.1."""
    api = SlackApiStandIn().start()
    yield api
    api.stop()


def _signed(body: str, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}",
            "Content-Type": "application/json"}


def test_slack_mounted_and_each_decision_posted_once(make_app: Callable[..., FastAPI],
                                                     tmp_path: Path,
                                                     slack_api: SlackApiStandIn) -> None:
    settings = settings_for(tmp_path).model_copy(update={
        "slack_bot_token": SecretStr("xoxb-1234-5678-test-bot-token"),
        "slack_signing_secret": SecretStr(SECRET), "slack_api_url": slack_api.base_url})
    app = make_app(settings)
    assert app.state.service.slack_enabled
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        challenge = json.dumps({"type": "url_verification", "challenge": "abc123",
                                "token": "t"})
        ok = c.post("/slack/events", content=challenge, headers=_signed(challenge))
        assert ok.status_code == 200 and "abc123" in ok.text
        forged = c.post("/slack/events", content=challenge, headers=_signed(challenge, "x" * 32))
        binary = c.post("/slack/events", content=b"\xff\xfe\x00payload=%ff",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert binary.status_code == 400 and "UTF-8" in binary.text  # not a 500
        assert forged.status_code == 401
        body = cpu_alert()
        c.post("/v1/webhooks/alertmanager", json=body, headers=AUTH)
        c.post("/v1/webhooks/alertmanager", json=body, headers=AUTH)  # redelivered: no 2nd post
        assert app.state.service.worker.wait_idle(20)
        posts = slack_api.wait_for("chat.postMessage")
        assert len(slack_api.calls("chat.postMessage")) == 1
        assert posts[0].body["channel"] == "#payments-oncall"
        assert "HighCPU" in posts[0].blocks_text() or "CPU" in posts[0].blocks_text()


def test_slack_message_goes_through_the_service_ingest_path(
        make_app: Callable[..., FastAPI], tmp_path: Path, slack_api: SlackApiStandIn) -> None:
    """Under `triage serve` a Slack message is stored by the ingestor (metrics, redelivery)
    and decided under a claim, like a webhook; Slack's retry yields no second signal."""
    settings = settings_for(tmp_path).model_copy(update={
        "slack_bot_token": SecretStr("xoxb-1234-5678-test-bot-token"),
        "slack_signing_secret": SecretStr(SECRET), "slack_api_url": slack_api.base_url})
    app = make_app(settings)
    service = app.state.service
    envelope = json.dumps({
        "token": "t", "team_id": "T0ACME", "api_app_id": "A0TRIAGE", "type": "event_callback",
        "event_id": "Ev0SERVE1", "event_time": 1764579600,
        "authorizations": [{"team_id": "T0ACME", "user_id": "UTRIAGEBOT", "is_bot": True}],
        "event": {"type": "message", "user": "U0ALICE01", "channel": "C0GENERAL",
                  "ts": "1764579600.000100", "text": "checkout returns 500 errors for customers"}})
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        assert c.post("/slack/events", content=envelope, headers=_signed(envelope)).status_code \
            == 200
        replies = slack_api.wait_for("chat.postMessage")
        assert replies
        retry = c.post("/slack/events", content=envelope,
                       headers={**_signed(envelope), "X-Slack-Retry-Num": "1"})
        assert retry.status_code == 200
        assert service.worker.wait_idle(20)
        metrics = c.get("/metrics", headers=AUTH).text
    assert 'triage_signals_received_total{source="slack"} 1' in metrics
    rows = service.conn.execute(
        "SELECT s.signal_id, c.state FROM signals s JOIN service_claims c "
        "ON c.signal_id = s.signal_id WHERE s.source = 'slack'").fetchall()
    assert [r[1] for r in rows] == ["done"]
    assert service.store.get_decision(rows[0][0]) is not None
