"""Incident records: opened by a decision or a human, one persisted state machine, timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor, IllegalTransition, IncidentError, NotAuthorized
from agent.incidents.runtime import IncidentResponse
from agent.kernel.db import open_db
from agent.wiring import build_pipeline
from tests.agent.incidents.conftest import SLOW_CHECKOUT, T0
from tests.support.payloads import am_body

OPERATOR = Actor("alice", "cli")


def _pipeline(config: OrgConfig, db: Path, **kw):  # noqa: ANN202
    return build_pipeline(config=config, db_path=db, checkpointer="none",
                          incident_clock=StreamClock(), **kw)


def test_an_incident_decision_opens_a_record_and_correlated_alerts_join_it(
        demo_config: OrgConfig, db: Path) -> None:
    pipe = _pipeline(demo_config, db)
    ticket = pipe.triage(SLOW_CHECKOUT, "ticket")[0]
    assert ticket.kind == "incident"
    alert = pipe.triage(am_body("CheckoutHighErrorRate", {"service": "checkout-api",
                                                          "severity": "critical"},
                                "5xx rate 9% on checkout-api", "2026-12-01T09:03:00Z",
                                "fp-5xx"), "alertmanager")[0]
    incidents = pipe.context.incidents.service.list()
    assert len(incidents) == 1
    record = pipe.context.incidents.service.get(incidents[0].id)
    assert record.id == "INC-1" and record.origin == "decision" and record.status == "open"
    assert record.opened_at == T0  # signal time, not the wall clock
    assert record.team == "payments" and record.service == "checkout-api"
    assert record.linked("decision") == [ticket.signal_id, alert.signal_id]
    assert [e.event for e in record.timeline][:2] == ["opened", "signal_linked"]


def test_state_machine_is_persisted_and_illegal_steps_are_clear_errors(
        demo_config: OrgConfig, db: Path) -> None:
    pipe = _pipeline(demo_config, db)
    pipe.triage(SLOW_CHECKOUT, "ticket")
    service = pipe.context.incidents.service
    service.ack("INC-1", OPERATOR, reason="on it")
    with pytest.raises(IllegalTransition, match="INC-1 is acknowledged: cannot ack"):
        service.ack("INC-1", OPERATOR)
    service.mitigate("INC-1", OPERATOR, reason="rolled back")
    service.resolve("INC-1", OPERATOR)
    with pytest.raises(IllegalTransition, match="cannot mitigate"):
        service.mitigate("INC-1", OPERATOR)
    # a second process on the same database sees the same record and history
    other = IncidentResponse.open(open_db(db), demo_config, clock=StreamClock(start=T0))
    record = other.service.get("INC-1")
    assert record.status == "resolved" and record.acknowledged_by == "cli:alice"
    events = [(e.event, e.actor, e.reason) for e in record.timeline if e.actor != "system:triage"]
    assert events == [("acknowledged", "cli:alice", "on it"),
                      ("mitigated", "cli:alice", "rolled back"), ("resolved", "cli:alice", None)]
    assert record.acknowledged_at <= record.mitigated_at <= record.resolved_at
    other.service.transition("INC-1", "reopen", OPERATOR, reason="recurred")
    assert other.service.get("INC-1").status == "open"


def test_humans_declare_incidents_assign_roles_and_slack_users_need_a_role(
        demo_config: OrgConfig, db: Path) -> None:
    response = IncidentResponse.open(open_db(db), demo_config, clock=StreamClock(start=T0))
    service = response.service
    inc = service.open("Checkout down in EU", "P1", Actor("U024BE7LH", "slack"),
                       service="checkout-api", reason="customers calling")
    assert inc.origin == "human" and inc.team == "payments" and inc.severity == "SEV1"
    with pytest.raises(NotAuthorized, match="not an approver"):
        service.ack(inc.id, Actor("U0STRANGER", "slack"))
    service.assign(inc.id, "commander", "U0STRANGER", Actor("U024BE7LH", "slack"),
                   reason="hand over: end of shift")
    service.ack(inc.id, Actor("U0STRANGER", "slack"))  # the commander may act
    record = service.get(inc.id)
    assert record.commander == "U0STRANGER" and record.status == "acknowledged"
    assert any(e.event == "role_assigned" and "→ U0STRANGER" in e.detail
               and e.reason == "hand over: end of shift" for e in record.timeline)
    with pytest.raises(IncidentError, match="role: must be one of"):
        service.assign(inc.id, "king", "U1", OPERATOR)
    with pytest.raises(NotAuthorized, match="incidents:write"):
        service.resolve(inc.id, Actor("reader", "api", frozenset({"read"})))


def test_priority_change_needs_a_reason_and_becomes_a_labeled_past_case(
        demo_config: OrgConfig, db: Path, tmp_path: Path) -> None:
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.open(tmp_path / "kb")
    pipe = _pipeline(demo_config, db, retriever=kb)
    ticket = pipe.triage(SLOW_CHECKOUT, "ticket")[0]
    service = pipe.context.incidents.service
    with pytest.raises(IncidentError, match="needs a reason"):
        service.set_priority("INC-1", "P1", OPERATOR, " ")
    service.set_priority("INC-1", "P1", OPERATOR, "every card payment fails")
    record = service.get("INC-1")
    assert (record.priority, record.severity) == ("P1", "SEV1")
    change = next(e for e in record.timeline if e.event == "priority_changed")
    assert change.reason == "every card payment fails"
    assert change.data["cases"] == [f"feedback/{ticket.signal_id}"]
    case = kb.lexical.get_cases([f"feedback/{ticket.signal_id}"])[f"feedback/{ticket.signal_id}"]
    assert case["labels"]["priority"] == "P1" and case["labels"]["feedback_by"] == "cli:alice"


def test_link_signal_attaches_a_user_report_once(demo_config: OrgConfig, db: Path) -> None:
    pipe = _pipeline(demo_config, db)
    pipe.triage(SLOW_CHECKOUT, "ticket")
    report = pipe.triage({"title": "Cannot pay", "body": "my card is refused",
                          "reporter": "bob@example.com"}, "ticket")[0]
    service = pipe.context.incidents.service
    assert service.link_signal("INC-1", report.signal_id, actor=OPERATOR, detail="user report")
    assert not service.link_signal("INC-1", report.signal_id, actor=OPERATOR)
    assert report.signal_id in service.get("INC-1").linked("signal")
