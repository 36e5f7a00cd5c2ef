"""`/triage incident …` over real Bolt + HTTP against the Web API stand-in: list, show, declare
and lifecycle steps as the signed-in user, through the incident service's authorization."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.config.escalation import IncidentsSection
from agent.config.loader import load_config
from agent.config.org import OrgConfig
from tests.agent.slack.conftest import HarnessFactory
from tests.conftest import DEMO_CONFIG

TICKET = {"title": "Checkout is failing", "reporter": "support@acme.example",
          "body": "Customers report checkout fails: card payments error on every try.",
          "created_at": "2026-12-01T09:00:00Z"}
ONCALL, LEAD, STRANGER = "U024BE7LH", "U0PAYLEAD", "U0STRANGER"


@pytest.fixture
def demo_config() -> OrgConfig:
    """The demo config with incident channels and a two-level payments policy."""
    section = IncidentsSection.model_validate({
        "on_call": {"payments": [ONCALL]}, "slack": {"enabled": True},
        "escalation": [{"name": "payments", "team": "payments", "levels": [
            {"targets": [{"on_call": True}], "timeout": "5m"},
            {"targets": [{"slack_user": LEAD}], "timeout": "10m"}]}]})
    return load_config(DEMO_CONFIG).model_copy(update={"incidents": section})


def _answers(h) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(a.body["response_type"], a.body.get("text") or "") for a in h.api.responses()]


def test_list_show_and_steps_run_as_the_slack_user_with_the_same_authorization(
        harness: HarnessFactory) -> None:
    h = harness()
    incidents = h.pipeline.context.incidents
    incidents.clock.base = None  # time follows the signal stream only
    [decision] = h.pipeline.triage(TICKET, "ticket")
    assert decision.kind == "incident"
    assert [i.key for i in incidents.escalation.outbox.items("sent")] == ["esc:INC-1:0:0"]

    h.command("incident list", trigger="t-list")
    h.command("incident show INC-1", trigger="t-show")
    h.command("incident ack INC-1", user=STRANGER, trigger="t-refused")
    listed, shown, refused = _answers(h)
    assert listed[0] == "ephemeral" and "INC-1 open" in listed[1]
    assert shown[0] == "ephemeral" and "*INC-1*" in shown[1] and "opened" in shown[1]
    assert "paged" in shown[1]
    assert refused[0] == "ephemeral" and refused[1].startswith(":no_entry:")
    assert "not an approver, on-call target or role holder" in refused[1]
    assert incidents.service.get("INC-1").status == "open"

    h.command("incident ack INC-1 looking at the card processor", user=LEAD, trigger="t-ack")
    kind, text = _answers(h)[-1]
    assert kind == "in_channel" and text.startswith("`INC-1` acknowledged by <@U0PAYLEAD>")
    record = incidents.service.get("INC-1")
    assert record.status == "acknowledged" and record.acknowledged_by == f"slack:{LEAD}"
    assert record.timeline[-1].reason == "looking at the card processor"
    assert record.commander == LEAD
    incidents.tick(incidents.clock.now() + timedelta(minutes=30))
    assert [i.key for i in incidents.escalation.outbox.items()] == ["esc:INC-1:0:0"]  # no more

    h.command("incident ack INC-1", user=LEAD, trigger="t-again")
    h.command("incident resolve INC-9", user=LEAD, trigger="t-unknown")
    again, unknown = _answers(h)[-2:]
    assert again[0] == "ephemeral" and again[1].startswith(":no_entry:")
    assert unknown[0] == "ephemeral" and "INC-9" in unknown[1]

    h.command("incident resolve INC-1 card processor failover done", user=LEAD,
              trigger="t-resolve")
    assert _answers(h)[-1][0] == "in_channel"
    resolved = incidents.service.get("INC-1")
    assert resolved.status == "resolved" and resolved.resolved_by == f"slack:{LEAD}"
    assert resolved.timeline[-1].event == "postmortem_drafted"


def test_declaring_an_incident_needs_an_approver_and_happens_once_per_invocation(
        harness: HarnessFactory) -> None:
    h = harness()
    incidents = h.pipeline.context.incidents
    h.command("incident open P2 checkout-api Card payments failing", user=STRANGER,
              trigger="t-open-refused")
    assert _answers(h)[-1][0] == "ephemeral" and incidents.service.list() == []
    for _ in range(2):  # the same invocation delivered twice declares one incident
        h.command("incident open P2 checkout-api Card payments failing", user=ONCALL,
                  trigger="t-open")
    kind, text = _answers(h)[-1]
    assert kind == "in_channel" and "`INC-1` declared P2 on `checkout-api`" in text
    [made] = incidents.service.list()
    assert (made.title, made.priority, made.team, made.opened_by) == (
        "Card payments failing", "P2", "payments", f"slack:{ONCALL}")


@pytest.mark.parametrize("text, expected", [
    ("incident", "usage"),
    ("incident frobnicate INC-1", "usage"),
    ("incident ack", "usage"),
    ("incident ack inc-one", "incident id"),
    ("incident open P7 checkout-api title", "priority"),
    ("incident open P2 checkout-api", "usage"),
])
def test_malformed_incident_commands_answer_with_usage(harness: HarnessFactory, text: str,
                                                       expected: str) -> None:
    h = harness()
    h.command(text, trigger="t-bad")
    [(kind, answer)] = _answers(h)
    assert kind == "ephemeral" and expected in answer.lower()
