"""Ticket webhooks over real HTTP: each system's authentication, 4xx naming the field,
redelivery, decisions from the same ingest path as Alertmanager's."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from agent.config.org import OrgConfig
from agent.config.tickets import TicketsSection
from agent.service import ServiceOptions, create_app
from agent.service.ticket_auth import jira_signature, zendesk_signature
from agent.wiring import build_pipeline
from tests.agent.service.conftest import AUTH, serve_live, settings_for
from tests.support.ticket_payloads import jira_webhook, snow_incident, zendesk_event

ENV = {"JIRA_HOOK_SECRET": "jira-s3cret", "SN_USER": "snow", "SN_PASS": "pw-1",
       "SN_TOKEN": "oauth-tok", "ZD_SECRET": "zd-s3cret"}
TICKETS = {"instances": {
    "acme-jira": {"system": "jira", "base_url": "https://acme.atlassian.net",
                  "webhook": {"secret_env": "JIRA_HOOK_SECRET"}, "write_back": False},
    "acme-snow": {"system": "servicenow", "base_url": "https://acme.service-now.com",
                  "webhook": {"username_env": "SN_USER", "password_env": "SN_PASS",
                              "token_env": "SN_TOKEN"}, "write_back": False},
    "acme-zd": {"system": "zendesk", "base_url": "https://acme.zendesk.com",
                "webhook": {"secret_env": "ZD_SECRET"}, "write_back": False},
}}


@pytest.fixture
def hooks(demo_config: OrgConfig, tmp_path: Path) -> Iterator[tuple[httpx.Client, object]]:
    """A live service with the three instances configured and secrets in an injected env."""
    config = demo_config.model_copy(update={"tickets": TicketsSection.model_validate(TICKETS)})
    pipeline = build_pipeline(config=config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    app = create_app(settings_for(tmp_path), config, pipeline,
                     options=ServiceOptions(scan_interval_s=0.5, orphan_grace_s=0.0))
    app.state.ticket_env = ENV
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, app.state.service


def _raw(body: object) -> bytes:
    return json.dumps(body).encode()


def test_jira_hmac_signature(hooks) -> None:
    client, service = hooks
    raw = _raw(jira_webhook())
    good = {"X-Hub-Signature": jira_signature(b"jira-s3cret", raw),
            "Content-Type": "application/json"}
    first = client.post("/v1/webhooks/jira", content=raw, headers=good)
    assert first.status_code == 202, first.text
    (signal_id,) = first.json()["signal_ids"]
    again = client.post("/v1/webhooks/jira", content=raw, headers=good)
    assert again.json() == {"signal_ids": [signal_id], "redelivery": True}
    bad = client.post("/v1/webhooks/jira", content=raw,
                      headers={"X-Hub-Signature": jira_signature(b"wrong", raw)})
    assert bad.status_code == 401 and bad.json()["field"] == "X-Hub-Signature"
    missing = client.post("/v1/webhooks/jira", content=raw)
    assert missing.status_code == 401 and missing.json()["field"] == "X-Hub-Signature"
    assert service.worker.wait_idle(30)
    decision = client.get(f"/v1/signals/{signal_id}", headers=AUTH).json()
    assert decision["source"] == "ticket" and decision["kind"] in {"incident", "alert", "event"}


def test_servicenow_basic_and_bearer(hooks) -> None:
    client, _ = hooks
    raw = _raw(snow_incident())
    basic = "Basic " + base64.b64encode(b"snow:pw-1").decode()
    assert client.post("/v1/webhooks/servicenow", content=raw,
                       headers={"Authorization": basic}).status_code == 202
    bearer = client.post("/v1/webhooks/servicenow", content=_raw(snow_incident("INC0010009")),
                         headers={"Authorization": "Bearer oauth-tok"})
    assert bearer.status_code == 202
    wrong = "Basic " + base64.b64encode(b"snow:guess").decode()
    refused = client.post("/v1/webhooks/servicenow", content=raw,
                          headers={"Authorization": wrong})
    assert refused.status_code == 401 and refused.json()["field"] == "Authorization"


def test_zendesk_signature_over_timestamp_and_body(hooks) -> None:
    client, service = hooks
    raw = _raw(zendesk_event())
    stamp = service.pipeline.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"X-Zendesk-Webhook-Signature": zendesk_signature(b"zd-s3cret", stamp, raw),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    assert client.post("/v1/webhooks/zendesk", content=raw, headers=headers).status_code == 202
    stale = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    replay = {"X-Zendesk-Webhook-Signature": zendesk_signature(b"zd-s3cret", stale, raw),
              "X-Zendesk-Webhook-Signature-Timestamp": stale}
    old = client.post("/v1/webhooks/zendesk", content=raw, headers=replay)
    assert old.status_code == 401
    assert old.json()["field"] == "X-Zendesk-Webhook-Signature-Timestamp"
    tampered = client.post("/v1/webhooks/zendesk", content=raw + b" ", headers=headers)
    assert tampered.status_code == 401
    assert tampered.json()["field"] == "X-Zendesk-Webhook-Signature"


def test_bad_body_names_the_field_and_unknown_instance(hooks) -> None:
    client, _ = hooks
    body = _raw({"webhookEvent": "jira:issue_created", "issue": {"key": "OPS-1"}})
    response = client.post("/v1/webhooks/jira", content=body,
                           headers={"X-Hub-Signature": jira_signature(b"jira-s3cret", body)})
    assert response.status_code == 422
    assert response.json()["field"] == "issue.fields"
    unknown = client.post("/v1/webhooks/jira?instance=nope", content=body)
    assert unknown.status_code == 404 and unknown.json()["field"] == "instance"


def test_closed_by_default_without_credentials(demo_config: OrgConfig, tmp_path: Path) -> None:
    pipeline = build_pipeline(config=demo_config, db_path=tmp_path / "c.db")
    app = create_app(settings_for(tmp_path, token=None), demo_config, pipeline,
                     options=ServiceOptions(background=False))
    app.state.ticket_env = {}
    with serve_live(app) as url, httpx.Client(base_url=url) as client:
        response = client.post("/v1/webhooks/zendesk", content=_raw(zendesk_event()))
        assert response.status_code == 401
        assert "closed by default" in response.json()["error"]
    token_app = create_app(settings_for(tmp_path, token="svc-token"), demo_config, pipeline,
                           options=ServiceOptions(background=False))
    with serve_live(token_app) as url, httpx.Client(base_url=url) as client:
        ok = client.post("/v1/webhooks/zendesk", content=_raw(zendesk_event()),
                         headers={"Authorization": "Bearer svc-token"})
        assert ok.status_code == 202
