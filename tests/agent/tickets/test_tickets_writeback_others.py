"""ServiceNow and Zendesk write-back against their stand-ins."""

from __future__ import annotations

from tests.support.servicenow_api import ServiceNowStandIn
from tests.support.ticket_payloads import snow_incident, snow_request, zendesk_event, zendesk_ticket
from tests.support.zendesk_api import ZendeskStandIn

SYS_ID = "9d385017c611228701d22104cc95c371"


def _plain(record: dict) -> dict:
    """A display_value=all record as the Table API stores it (plain values)."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in record.items()}


def test_servicenow_impact_urgency_group_and_one_work_note(make_rig, snow: ServiceNowStandIn
                                                            ) -> None:
    record = snow_incident(short="Checkout is down: every card payment fails",
                           description="All customers get an error page at checkout.",
                           service="checkout-api")
    snow.add_record("incident", _plain(record))
    rig = make_rig()
    (decision,) = rig.triage(record, "servicenow", "acme-snow", key="sn1")
    assert rig.drain() == {"sent": 2, "failed": 0, "parked": 0}
    (patch,) = [c for c in snow.calls("PATCH") if "work_notes" not in c.body]
    codes = {"high": "1", "medium": "2", "low": "3"}
    assert patch.body["impact"] == codes[decision.impact]
    assert patch.body["urgency"] == codes[decision.urgency]
    if decision.team == "payments":
        assert patch.body["assignment_group"] == "Payments"
    assert "priority" not in patch.body  # ServiceNow computes it from impact × urgency
    (note,) = snow.work_notes(SYS_ID)
    assert note.startswith(f"Triage: {decision.kind} · {decision.priority}")
    rig.triage(record, "servicenow", "acme-snow", key="sn1")  # redelivery
    assert rig.drain()["sent"] == 0 and len(snow.work_notes(SYS_ID)) == 1


def test_servicenow_data_policy_rejection_is_partial_and_retried(make_rig, snow) -> None:
    record = snow_incident()
    snow.add_record("incident", _plain(record))
    snow.fail("PATCH", rf"/api/now/table/incident/{SYS_ID}", 403, times=1, body={
        "error": {"message": "Operation Failed", "detail": "Data Policy Exception: "
                  "Assignment group is mandatory"}, "status": "failure"})
    rig = make_rig()
    rig.triage(record, "servicenow", "acme-snow")
    first = rig.runtime.writeback.drain()
    assert first == {"sent": 1, "failed": 1, "parked": 0}
    (row,) = rig.runtime.store.rows(status="pending")
    assert "Data Policy Exception" in row.last_error
    rig.clock.advance(3600)
    assert rig.runtime.writeback.drain()["sent"] == 1
    assert len(snow.work_notes(SYS_ID)) == 1


def test_servicenow_request_gets_no_impact_and_a_note(make_rig, snow) -> None:
    snow.add_record("sc_request", snow_request())
    rig = make_rig()
    (decision,) = rig.triage(snow_request(), "servicenow", "acme-snow")
    assert decision.kind == "request"
    rig.drain()
    assert all("impact" not in c.body for c in snow.calls("PATCH"))
    assert len(snow.work_notes("b1c2d3")) == 1


def _zd_api_ticket() -> dict:
    return {"id": 35, "subject": "Cannot log in to the shop", "priority": "normal",
            "type": "question", "status": "new", "tags": [], "group_id": 360009,
            "updated_at": "2026-12-01T09:00:00Z", "created_at": "2026-12-01T09:00:00Z",
            "description": "SSO login fails with error 500 for all of our staff.",
            "requester_id": 12345}


def test_zendesk_priority_type_tags_and_private_comment(make_rig, zendesk: ZendeskStandIn
                                                        ) -> None:
    zendesk.add_ticket(_zd_api_ticket())
    zendesk.fail("PUT", r"/api/v2/tickets/35\.json", 429, headers={"Retry-After": "3"})
    rig = make_rig()
    (decision,) = rig.triage(zendesk_event(), "zendesk", "acme-zd")
    assert rig.drain() == {"sent": 2, "failed": 0, "parked": 0}
    assert 3.0 in rig.clock.sleeps
    ticket = zendesk.tickets["35"]
    names = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low", "P5": "low"}
    assert ticket["priority"] == names[decision.priority]
    assert "triage" in ticket["tags"] and f"triage-{decision.kind}" in ticket["tags"]
    (comment,) = zendesk.comments["35"]
    assert comment["public"] is False and "[triage:" in comment["body"]


def test_zendesk_rejected_group_is_partial(make_rig, zendesk) -> None:
    zendesk.add_ticket(_zd_api_ticket())
    rig = make_rig(acme_zd={"mapping": {"groups": {t: "Ops Team" for t in
                                                   ("payments", "platform", "identity", "data",
                                                    "secops", "network", "web")}}})
    (decision,) = rig.triage(zendesk_event(detail=zendesk_ticket()), "zendesk", "acme-zd")
    report = rig.runtime.writeback.drain()
    if decision.team is None:
        assert report == {"sent": 2, "failed": 0, "parked": 0}
        return
    assert report == {"sent": 1, "failed": 1, "parked": 0}
    (row,) = rig.runtime.store.rows(status="pending")
    assert "RecordInvalid" in row.last_error and len(zendesk.comments["35"]) == 1
