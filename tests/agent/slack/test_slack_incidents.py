"""The Slack incident workflow over real Bolt + HTTP against the Web API stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from agent.config.escalation import IncidentsSection
from agent.config.loader import load_config
from agent.config.org import OrgConfig
from agent.incidents.outbox import OutboxItem
from agent.slack.incident_flow import PAGE_EVENT, SlackIncidentFlow
from tests.agent.slack.conftest import HarnessFactory, block_action
from tests.conftest import DEMO_CONFIG

OPENED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TICKET = {"title": "Checkout is failing", "reporter": "support@acme.example",
          "body": "Customers report checkout fails: card payments error on every try.",
          "created_at": "2026-12-01T09:00:00Z"}
ONCALL, LEAD, STRANGER = "U024BE7LH", "U0PAYLEAD", "U0STRANGER"


@pytest.fixture
def demo_config() -> OrgConfig:
    """The demo config with incident channels on and a two-level payments policy."""
    section = IncidentsSection.model_validate({
        "on_call": {"payments": [ONCALL]},
        "slack": {"enabled": True, "priorities": ["P1", "P2"],
                  "status_every": {"P1": "30m", "P2": "1h"}},
        "escalation": [{"name": "payments", "team": "payments", "levels": [
            {"targets": [{"on_call": True}], "timeout": "5m"},
            {"targets": [{"slack_user": LEAD}], "timeout": "10m"}]}]})
    return load_config(DEMO_CONFIG).model_copy(update={"incidents": section})


def _open(harness: HarnessFactory):  # noqa: ANN202
    h = harness()
    incidents = h.pipeline.context.incidents
    incidents.clock.base = None  # time follows the signal stream only
    decision = h.pipeline.triage(TICKET, "ticket")[0]
    assert decision.kind == "incident" and decision.priority in ("P1", "P2")
    return h, incidents


def _pages(h, user: str) -> list:  # noqa: ANN001
    dm = h.api.wait_for("conversations.open")
    dms = {json.dumps(c.body.get("users")) for c in dm}
    assert dms
    return [c for c in h.api.calls("chat.postMessage") if "metadata" in c.body
            and user in json.dumps(c.body)] or [
        c for c in h.api.calls("chat.postMessage") if "metadata" in c.body]


def test_a_p2_incident_gets_a_channel_card_on_call_and_a_thread_timeline(
        harness: HarnessFactory) -> None:
    h, incidents = _open(harness)
    created = h.api.wait_for("conversations.create")[0]
    assert created.body["name"] == "inc-inc-1-checkout-api"
    invite = h.api.wait_for("conversations.invite")[0]
    assert invite.body["users"] == ONCALL
    channel = incidents.service.get("INC-1").slack_channel
    card = next(c for c in h.api.calls("chat.postMessage") if c.body.get("channel") == channel
                and not c.body.get("thread_ts"))
    text = card.blocks_text()
    for part in ("INC-1", "*What:*", "*Impact:*", "*Runbook:*", "*Proposed actions:*",
                 "incident_ack", "incident_mitigate", "incident_resolve", "incident_handover"):
        assert part in text
    thread = [c.body["text"] for c in h.api.calls("chat.postMessage")
              if c.body.get("thread_ts")]
    assert any("*opened*" in t for t in thread) and any("*paged*" in t for t in thread)
    # the first page went to the on-call's DM with the step key in its metadata
    page = next(c for c in h.api.calls("chat.postMessage") if c.body.get("metadata"))
    meta = page.body["metadata"]
    meta = json.loads(meta) if isinstance(meta, str) else meta
    assert meta == {"event_type": PAGE_EVENT, "event_payload": {"key": "esc:INC-1:0:0"}}


def test_escalates_then_acknowledged_in_slack_then_reminded_and_handed_over(
        harness: HarnessFactory) -> None:
    h, incidents = _open(harness)
    channel = incidents.service.get("INC-1").slack_channel
    card_ts = h.api.calls("chat.postMessage")[0].body.get("ts")
    card = next(c for c in h.api.calls("chat.postMessage")
                if c.body.get("channel") == channel and not c.body.get("thread_ts"))
    incidents.tick(OPENED + timedelta(minutes=6))
    assert [e.event for e in incidents.service.get("INC-1").timeline].count("escalated") == 1
    opened_dms = [c.body["users"] for c in h.api.calls("conversations.open")]
    assert opened_dms == [ONCALL, LEAD]
    ts = h.api.messages[channel][0]["ts"]
    assert card_ts is None or card_ts == ts
    refused = h.interact(block_action(STRANGER, "incident_ack", "INC-1", channel, ts))
    assert refused.status_code == 200
    h.api.wait_for("chat.postEphemeral")
    assert incidents.service.get("INC-1").status == "open"
    incidents.clock.advance_to(OPENED + timedelta(minutes=8))
    assert h.interact(block_action(LEAD, "incident_ack", "INC-1", channel, ts)
                      ).status_code == 200
    record = incidents.service.get("INC-1")
    assert record.status == "acknowledged" and record.acknowledged_by == f"slack:{LEAD}"
    assert record.acknowledged_at == OPENED + timedelta(minutes=8)
    assert record.commander == LEAD
    updated = h.api.wait_for("chat.update")[-1]
    assert "acknowledged" in updated.blocks_text() and "incident_ack" not in updated.blocks_text()
    incidents.tick(OPENED + timedelta(hours=3))  # acked: no more pages, but a reminder
    assert [e.event for e in incidents.service.get("INC-1").timeline].count("escalated") == 1
    reminders = [e for e in incidents.service.get("INC-1").timeline
                 if e.event == "status_reminder"]
    every = timedelta(minutes=30 if record.priority == "P1" else 60)
    assert reminders, [(e.event, e.at) for e in incidents.service.get("INC-1").timeline]
    assert reminders[0].at == OPENED + timedelta(minutes=8) + every
    handover = block_action(LEAD, "incident_handover", "", channel, ts)
    handover["actions"][0] = {"action_id": "incident_handover", "block_id": "incident:INC-1",
                              "type": "users_select", "selected_user": ONCALL,
                              "action_ts": "1764579700.000200"}
    h.interact(handover)
    assert incidents.service.get("INC-1").commander == ONCALL
    lines = [c.body["text"] for c in h.api.calls("chat.postMessage") if c.body.get("thread_ts")]
    assert any("*acknowledged*" in t for t in lines)
    assert any("*role_assigned*" in t and "handed over in Slack" in t for t in lines)
    assert card.body["channel"] == channel


def test_a_page_posted_before_a_crash_is_found_in_history_not_posted_again(
        harness: HarnessFactory) -> None:
    h, incidents = _open(harness)
    flow = next(n for n in incidents.escalation.notifiers if isinstance(n, SlackIncidentFlow))
    item = OutboxItem("esc:INC-1:test:0", "INC-1", "page", f"slack_user:{LEAD}",
                      {"text": "page"}, OPENED)
    assert not flow.delivered(item)
    flow.send(item)
    assert flow.delivered(item)
    with incidents.service.store.tx() as conn:
        incidents.escalation.outbox.add(item, OPENED)
        conn.execute("UPDATE incident_outbox SET state='sending' WHERE key=?", (item.key,))
    before = len(h.api.calls("chat.postMessage"))
    incidents.escalation.deliver(OPENED + timedelta(minutes=1))
    assert len(h.api.calls("chat.postMessage")) == before
    assert [i.key for i in incidents.escalation.outbox.items("sent")][-1] == item.key
