"""Human overrides after triage come back as labeled history (a past case with provenance)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedder import default_embedder
from tests.support.ticket_payloads import (
    jira_change,
    jira_issue,
    jira_webhook,
    zendesk_event,
    zendesk_ticket,
)

OUTAGE = jira_issue("OPS-17", "Checkout is down: every card payment fails with 500",
                    "All customers get an error page at checkout since 09:00.",
                    components=["checkout-api"])


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    """The real ONNX embedder, once for this module."""
    return default_embedder()


def test_jira_priority_override_becomes_a_labeled_case(make_rig, jira, tmp_path: Path,
                                                       embedder) -> None:
    jira.add_issue(OUTAGE)
    kb = KnowledgeBase.open(tmp_path / "kb", embedder=embedder)
    rig = make_rig(cases=kb)
    (decision,) = rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    rig.drain()
    written = jira.issues["OPS-17"]["fields"]["priority"]["name"]
    human = "Lowest" if written != "Lowest" else "Highest"
    # our own change echoes back first: not an override, not triaged again
    echo = jira_webhook("jira:issue_updated", jira.issues["OPS-17"], user="triage@acme.example",
                        changelog=[jira_change("priority", "Medium", written)])
    assert rig.runtime.inbound.before_ingest("jira", "acme-jira", json.dumps(echo).encode())
    assert rig.runtime.store.overrides() == []
    # then an agent lowers the priority in Jira
    jira.issues["OPS-17"]["fields"]["priority"] = {"id": "5", "name": human}
    update = jira_webhook("jira:issue_updated", jira.issues["OPS-17"], user="bob@acme.example",
                          changelog=[jira_change("priority", written, human)])
    assert rig.runtime.inbound.before_ingest("jira", "acme-jira",
                                             json.dumps(update).encode()) is None
    (override,) = rig.runtime.store.overrides()
    assert (override["field"], override["before"], override["after"], override["author"]) == (
        "priority", written.lower(), human.lower(), "bob@acme.example")
    case = kb.lexical.get_cases([override["case_id"]])[override["case_id"]]
    expected = {"Lowest": "P5", "Highest": "P1"}[human]
    assert case["labels"]["priority"] == expected and case["labels"]["kind"] == decision.kind
    assert case["labels"]["feedback_by"] == "jira:bob@acme.example"
    provenance = json.loads(case["labels"]["provenance"])
    assert provenance["origin"] == "ticket-override" and provenance["ticket"] == "OPS-17"
    # the human's value is never written over: a new decision version leaves priority alone
    state = rig.runtime.store.state("acme-jira", "OPS-17")
    assert state is not None and state.overridden == ["priority"]
    comment = {"id": "c9", "body": "Actually the whole site is down for everyone now",
               "author": {"emailAddress": "ann@example.com"},
               "created": "2026-12-01T09:40:00.000+0000"}
    rig.triage(jira_webhook("comment_created", jira.issues["OPS-17"], comment=comment),
               "jira", "acme-jira")
    rig.drain()
    puts = jira.calls("PUT", r"/rest/api/3/issue/OPS-17")
    assert all("priority" not in p.body["fields"] for p in puts[1:])
    assert jira.issues["OPS-17"]["fields"]["priority"]["name"] == human


def test_zendesk_group_change_event_is_an_override(make_rig, zendesk) -> None:
    zendesk.add_ticket({"id": 35, "subject": "Cannot log in", "priority": "normal",
                        "type": "question", "status": "new", "tags": [], "group_id": 1,
                        "updated_at": "2026-12-01T09:00:00Z"})
    rig = make_rig()
    ticket = zendesk_ticket(subject="Checkout is down: card payments fail for all customers")
    (decision,) = rig.triage(zendesk_event(detail=ticket), "zendesk", "acme-zd")
    rig.drain()
    assert decision.team == "payments"
    state = rig.runtime.store.state("acme-zd", "35")
    assert state is not None and state.written["confirmed"]["group"] == "360001"
    event = zendesk_event("ticket.group_assignment_changed", ticket,
                          {"current": "360002", "previous": state.written["intended"]["group"]},
                          event_id="evt-2")
    now = zendesk.tickets["35"]  # the event's detail is the ticket as it is now
    event["detail"].update(group_id="360002", priority=now["priority"].upper(),
                           type=now["type"].upper())
    rig.runtime.inbound.before_ingest("zendesk", "acme-zd", json.dumps(event).encode())
    (override,) = rig.runtime.store.overrides()
    assert override["field"] == "group" and override["after"] == "360002"


def test_servicenow_override_seen_by_the_poller(make_rig, snow) -> None:
    record = {"sys_id": "abc123", "number": "INC0020001", "sys_class_name": "incident",
              "short_description": "Checkout is down: card payments fail for all customers",
              "description": "Every customer gets error 500 at checkout.", "impact": "3",
              "urgency": "3", "state": "1", "opened_at": "2026-12-01 09:00:00",
              "sys_updated_on": "2026-12-01 09:00:00", "sys_updated_by": "abel.tuter"}
    snow.add_record("incident", record)
    rig = make_rig(acme_snow={"poll": {"enabled": True, "start": "2026-12-01T08:00:00Z"}})

    def deliver(system: str, name: str, payload: dict, key: str) -> list[str]:
        decisions = rig.pipeline.triage(payload, system, delivery_key=key)
        for decision in decisions:
            rig.runtime.writeback.on_decision(decision)
        return [d.signal_id for d in decisions]

    rig.runtime.poll_all(deliver, only="acme-snow")
    rig.drain()
    written = snow.tables["incident"]["abc123"]
    assert written["impact"] != "3" or written["urgency"] != "3"  # Triage raised it
    # our own update comes back on the next poll: an echo (the integration user), not triaged
    assert written["sys_updated_by"] == "triage.integration"
    echoes = rig.runtime.poll_all(deliver, only="acme-snow")["acme-snow"].echoes
    assert echoes == 1 and rig.runtime.store.overrides() == []
    # a service-desk agent sets impact back to 3 - Low
    written.update(impact="3", sys_updated_on="2026-12-01 09:20:00",
                   sys_updated_by="beth.anglin")
    rig.runtime.poll_all(deliver, only="acme-snow")
    (override,) = rig.runtime.store.overrides()
    assert (override["field"], override["after"], override["author"]) == (
        "impact", "3", "beth.anglin")
