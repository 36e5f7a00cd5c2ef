"""End to end over HTTP: a signed Jira webhook → 202 → decision → write-back in the stand-in."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from agent.config.org import OrgConfig
from agent.config.tickets import TicketsSection
from agent.service import ServiceOptions, create_app
from agent.service.ticket_auth import jira_signature
from agent.wiring import build_pipeline
from tests.agent.service.conftest import serve_live, settings_for
from tests.agent.tickets.conftest import ENV, instances
from tests.support.ticket_payloads import jira_issue, jira_webhook

ISSUE = jira_issue("OPS-21", "Checkout is down: every card payment fails with 500",
                   "All customers get an error page at checkout.", components=["checkout-api"])


def _wait(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_webhook_to_write_back_through_the_service(demo_config: OrgConfig, tmp_path: Path,
                                                   jira, snow, zendesk) -> None:
    doc = instances(jira.base_url, snow.base_url, zendesk.base_url,
                    acme_jira={"webhook": {"secret_env": "JIRA_HOOK"}})
    section = TicketsSection.model_validate(doc)
    config = demo_config.model_copy(update={"tickets": section})
    jira.add_issue(ISSUE)
    pipeline = build_pipeline(config=config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    app = create_app(settings_for(tmp_path), config, pipeline,
                     options=ServiceOptions(scan_interval_s=0.5, orphan_grace_s=0.0))
    app.state.ticket_env = {**ENV, "JIRA_HOOK": "hook-secret"}
    raw = json.dumps(jira_webhook(issue=ISSUE)).encode()
    headers = {"X-Hub-Signature": jira_signature(b"hook-secret", raw),
               "X-Atlassian-Webhook-Identifier": "delivery-1"}
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        first = client.post("/v1/webhooks/jira", content=raw, headers=headers)
        assert first.status_code == 202, first.text
        assert _wait(lambda: len(jira.comment_texts("OPS-21")) == 1)
        assert _wait(lambda: app.state.tickets.store.counts() == {"done": 2})
        again = client.post("/v1/webhooks/jira", content=raw, headers=headers)
        assert again.json()["redelivery"] is True
        # the comment we wrote echoes back as a comment_created webhook: not triaged again
        (text,) = jira.comment_texts("OPS-21")
        echo = json.dumps(jira_webhook("comment_created", jira.issues["OPS-21"], comment={
            "id": "1", "body": text, "author": {"emailAddress": "triage@acme.example"},
            "created": "2026-12-01T09:01:00.000+0000"})).encode()
        ignored = client.post("/v1/webhooks/jira", content=echo, headers={
            "X-Hub-Signature": jira_signature(b"hook-secret", echo)})
        assert ignored.status_code == 202 and ignored.json()["signal_ids"] == []
        time.sleep(0.5)
    decision = pipeline.store.get_decision(first.json()["signal_ids"][0])
    assert decision is not None and decision.kind == "incident"
    assert len(jira.comment_texts("OPS-21")) == 1
    assert jira.issues["OPS-21"]["fields"]["issuetype"]["name"] == "Incident"


def test_service_polls_zendesk_and_writes_back(demo_config: OrgConfig, tmp_path: Path,
                                               jira, snow, zendesk) -> None:
    zendesk.add_ticket({"id": 77, "subject": "Checkout is down: card payments fail for everyone",
                        "description": "All customers get error 500 at checkout.",
                        "status": "new", "priority": "normal", "type": "question", "tags": [],
                        "updated_at": "2026-12-01T09:00:00Z", "created_at": "2026-12-01T09:00:00Z"})
    doc = instances(jira.base_url, snow.base_url, zendesk.base_url, acme_zd={"poll": {
        "enabled": True, "interval": "1s", "start": "2026-12-01T08:00:00Z"}})
    config = demo_config.model_copy(update={"tickets": TicketsSection.model_validate(doc)})
    pipeline = build_pipeline(config=config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    app = create_app(settings_for(tmp_path), config, pipeline,
                     options=ServiceOptions(scan_interval_s=0.5, orphan_grace_s=0.0))
    app.state.ticket_env = ENV
    with serve_live(app):
        assert _wait(lambda: len(zendesk.comments["77"]) == 1)
        assert _wait(lambda: app.state.tickets.store.counts().get("done") == 2)
        # our writes bumped updated_at: the next poll reads the ticket again, decides a
        # duplicate of it and writes nothing more
        assert _wait(lambda: app.state.tickets.store.cursor("acme-zd", "tickets")["since"]
                     == "2026-12-01T09:02:00+00:00")
        time.sleep(1.5)
    assert len(zendesk.comments["77"]) == 1 and app.state.tickets.store.counts() == {"done": 2}
    assert zendesk.tickets["77"]["type"] == "incident"
