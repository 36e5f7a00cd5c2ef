"""Jira, ServiceNow and Zendesk inbound formats: field-for-field mapping, detection, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.kernel.errors import SignalParseError
from agent.signals.detect import detect_format
from agent.signals.formats.jira import jira_record
from agent.signals.formats.zendesk import zendesk_record
from tests.support.ticket_payloads import (
    jira_change,
    jira_issue,
    jira_webhook,
    snow_incident,
    snow_request,
    zendesk_event,
    zendesk_ticket,
)


def test_jira_issue_created_maps_every_field(parse) -> None:
    issue = jira_issue(components=["checkout-api"], labels=["shop", "web"], priority="High")
    body = jira_webhook(issue=issue)
    assert detect_format(body) == "jira"
    (signal,) = parse(body, "jira")
    assert signal.source == "ticket" and signal.title.startswith("Checkout returns 500")
    assert "Customers see an error page" in signal.text  # ADF flattened
    labels = signal.labels
    assert labels["ticket_system"] == "jira" and labels["ticket_id"] == "OPS-17"
    assert labels["ticket_ref"] == "10002" and labels["ticket_event"] == "jira:issue_created"
    assert labels["priority"] == "High"  # as sent: evidence, not the verdict
    assert labels["issue_type"] == "Task" and labels["project"] == "OPS"
    assert labels["component"] == "checkout-api" and labels["tags"] == "shop,web"
    assert signal.service == "checkout-api" and signal.reporter == "ann@example.com"
    assert signal.timestamp == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert signal.raw == body


def test_jira_update_is_same_ticket_and_carries_changelog(parse) -> None:
    created = parse(jira_webhook())[0]
    update = jira_webhook("jira:issue_updated", user="bob@example.com",
                          changelog=[jira_change("priority", "Medium", "Highest")])
    (updated,) = parse(update)
    assert updated.fingerprint == created.fingerprint
    assert updated.starts_at == created.starts_at  # so the noise gate sees a duplicate
    (change,) = jira_record(update).changes
    assert (change.field, change.before, change.after, change.author) == \
        ("priority", "Medium", "Highest", "bob@example.com")


def test_jira_comment_event_is_a_new_signal_and_own_comment_is_not_text(parse) -> None:
    comment = {"id": "10050", "body": "Now the whole shop is down for everyone",
               "author": {"emailAddress": "ann@example.com"},
               "created": "2026-12-01T09:30:00.000+0000"}
    (signal,) = parse(jira_webhook("comment_created", comment=comment))
    assert "Comment: Now the whole shop is down" in signal.text
    assert signal.timestamp == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert signal.fingerprint != parse(jira_webhook())[0].fingerprint
    own = dict(comment, body="Triage: incident P2 [triage:abc123]")
    (echo,) = parse(jira_webhook("comment_created", comment=own))
    assert "triage:abc123" not in echo.text


def test_jira_done_status_is_resolved_and_bare_issue_detected(parse) -> None:
    issue = jira_issue(status="Done", status_category="done")
    assert detect_format(issue) == "jira"
    (signal,) = parse(issue)
    assert signal.status == "resolved" and signal.labels["ticket_event"] == "jira:issue"


def test_servicenow_incident_display_values_and_codes(parse) -> None:
    record = snow_incident()
    assert detect_format(record) == "servicenow"
    (signal,) = parse(record)
    labels = signal.labels
    assert labels["ticket_system"] == "servicenow" and labels["ticket_id"] == "INC0010001"
    assert labels["ticket_ref"] == "9d385017c611228701d22104cc95c371"
    assert labels["ticket_table"] == "incident"
    assert (labels["impact"], labels["urgency"], labels["priority"]) == ("2", "1", "2")
    assert labels["category"] == "Network" and labels["subcategory"] == "VPN"
    assert labels["ci"] == "vpn-gw-1" and signal.service == "vpn"
    assert labels["assignment_group"] == "Service Desk"
    assert signal.reporter == "Abel Tuter" and labels["reporter"] == "Beth Anglin"
    assert signal.timestamp == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_servicenow_envelopes_and_request_records(parse) -> None:
    (req,) = parse({"result": snow_request()}, "servicenow")
    assert req.labels["ticket_table"] == "sc_request" and req.reporter == "Carla Reyes"
    wrapped = parse({"table": "incident", "record": snow_incident(state="6")})
    assert wrapped[0].status == "resolved"
    many = parse({"result": [snow_incident(), snow_request()]})
    assert [s.labels["ticket_id"] for s in many] == ["INC0010001", "REQ0010002"]
    bare_ref = snow_incident()
    bare_ref["business_service"] = {"link": "https://x/api/now/table/cmdb_ci_service/1",
                                    "value": "1"}
    assert parse(bare_ref)[0].service == "vpn-gw-1"  # a bare sys_id names no service


def test_zendesk_event_and_trigger_bodies(parse) -> None:
    body = zendesk_event("ticket.priority_changed", zendesk_ticket(priority="HIGH"),
                         {"current": "HIGH", "previous": "NORMAL"})
    assert detect_format(body) == "zendesk"  # not Slack, though it has an `event` object
    (signal,) = parse(body)
    labels = signal.labels
    assert labels["ticket_system"] == "zendesk" and labels["ticket_id"] == "35"
    assert labels["priority"] == "high" and labels["issue_type"] == "question"
    assert labels["assignment_group"] == "360001" and signal.reporter == "12345"
    (change,) = zendesk_record(body).changes
    assert (change.field, change.before, change.after) == ("priority", "normal", "high")
    trigger = {"ticket": {"id": 36, "subject": "Need a VPN account", "description": "please",
                          "requester": {"email": "c@example.com", "name": "C"},
                          "group": {"name": "IT"}, "tags": "vpn access"}}
    (t,) = parse(trigger, "zendesk")
    assert t.reporter == "c@example.com" and t.labels["tags"] == "vpn,access"
    assert t.labels["assignment_group"] == "IT"


def test_zendesk_comment_added_event(parse) -> None:
    body = zendesk_event("ticket.comment_added", event={"comment": {
        "id": "c1", "body": "still broken", "is_public": True, "author": {"id": "12345"}}})
    (signal,) = parse(body)
    assert "Comment: still broken" in signal.text and signal.labels["comment_id"] == "c1"


@pytest.mark.parametrize(("payload", "fmt", "field"), [
    ({"webhookEvent": "jira:issue_created"}, "jira", "issue"),
    ({"webhookEvent": "jira:issue_created", "issue": {"key": "OPS-1"}}, "jira", "issue.fields"),
    ({"webhookEvent": "jira:issue_created", "issue": {"key": "OPS-1", "fields": {}}}, "jira",
     "summary"),
    ({"issue": {"key": "OPS-1", "fields": {"summary": "x", "created": "yesterday"}},
      "webhookEvent": "jira:issue_created"}, "jira", "issue.fields.created"),
    ({"short_description": "x"}, "servicenow", "number"),
    ({"result": [{"number": "INC1", "short_description": "x"}, 3]}, "servicenow", "result[1]"),
    ({"type": "zen:event-type:ticket.created"}, "zendesk", "detail"),
    ({"ticket": {"subject": "x"}}, "zendesk", "ticket.id"),
])
def test_bad_bodies_name_the_field(parse, payload, fmt, field) -> None:
    with pytest.raises(SignalParseError) as err:
        parse(payload, fmt)
    assert err.value.field == field
