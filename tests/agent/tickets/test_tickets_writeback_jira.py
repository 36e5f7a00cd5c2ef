"""Jira write-back against the REST v3 stand-in: fields, one comment per decision version,
links, and every failure mode the outbox must survive."""

from __future__ import annotations

from tests.support.jira_api import JiraStandIn
from tests.support.ticket_payloads import jira_change, jira_issue, jira_webhook

OUTAGE = jira_issue("OPS-17", "Checkout is down: every card payment fails with 500",
                    "All customers get an error page at checkout since 09:00.",
                    components=["checkout-api"])


def _seed(jira: JiraStandIn, *issues: dict) -> None:
    for issue in issues or (OUTAGE,):
        jira.add_issue(issue)


def test_fields_comment_and_labels_written_once(make_rig, jira: JiraStandIn) -> None:
    _seed(jira)
    rig = make_rig()
    (decision,) = rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira", key="d1")
    assert rig.drain() == {"sent": 2, "failed": 0, "parked": 0}
    (put,) = jira.calls("PUT", r"/rest/api/3/issue/OPS-17")
    fields = put.body["fields"]
    expected_priority = {"P1": "Highest", "P2": "High", "P3": "Medium", "P4": "Low",
                         "P5": "Lowest"}[decision.priority]
    assert fields["priority"] == {"name": expected_priority}
    if decision.kind in ("incident", "request"):
        assert fields["issuetype"]["name"] in ("Incident", "Service Request")
    labels = jira.issues["OPS-17"]["fields"]["labels"]
    assert "triage" in labels and f"triage-{decision.kind}" in labels
    assert f"team-{decision.team}" in labels or decision.team is None
    (comment,) = jira.comment_texts("OPS-17")
    assert f"Triage: {decision.kind} · {decision.priority}" in comment
    assert "[triage:" in comment
    # redelivery of the same webhook: no new decision, nothing new to send
    again = rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira", key="d1")
    assert [d.signal_id for d in again] == [decision.signal_id]
    assert rig.drain() == {"sent": 0, "failed": 0, "parked": 0}
    assert len(jira.comment_texts("OPS-17")) == 1


def test_update_event_of_same_ticket_is_a_duplicate_and_writes_nothing(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig()
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira", key="d1")
    rig.drain()
    update = jira_webhook("jira:issue_updated", OUTAGE,
                          changelog=[jira_change("summary", "old", "new")])
    (dup,) = rig.triage(update, "jira", "acme-jira", key="d2")
    assert dup.noise.duplicate_of is not None
    assert rig.drain()["sent"] == 0 and len(jira.comment_texts("OPS-17")) == 1


def test_auth_failure_is_recorded_and_retried_after_the_fix(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig(env={"JIRA_USER": "triage@acme.example", "JIRA_TOKEN": "revoked"})
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    report = rig.runtime.writeback.drain()
    assert report == {"sent": 0, "failed": 2, "parked": 0}
    rows = rig.runtime.store.rows(status="pending")
    assert {r.step for r in rows} == {"fields", "comment"}
    assert all("HTTP 401" in (r.last_error or "") for r in rows)
    assert not jira.comment_texts("OPS-17")
    restarted = make_rig(clock=rig.clock)  # credentials rotated, process restarted
    restarted.clock.advance(3600)
    assert restarted.drain()["sent"] == 2
    assert len(jira.comment_texts("OPS-17")) == 1


def test_429_with_retry_after_and_500_then_success(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig()
    jira.fail("PUT", r"/rest/api/3/issue/OPS-17", 429, headers={"Retry-After": "7"})
    jira.fail("POST", r"/rest/api/3/issue/OPS-17/comment", 500,
              body={"errorMessages": ["Internal server error"], "errors": {}})
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    # the PUT is retried in place; a comment POST that got a 500 may have been stored, so
    # the step goes back to the outbox, whose retry looks for the comment before posting
    assert rig.runtime.writeback.drain() == {"sent": 1, "failed": 1, "parked": 0}
    assert 7.0 in rig.clock.sleeps  # Retry-After honoured before the second PUT
    assert len(jira.calls("PUT", r"/rest/api/3/issue/OPS-17")) == 2
    rig.clock.advance(3600)
    assert rig.runtime.writeback.drain() == {"sent": 1, "failed": 0, "parked": 0}
    assert len(jira.calls("POST", r"/rest/api/3/issue/OPS-17/comment")) == 2
    assert len(jira.comment_texts("OPS-17")) == 1


def test_long_retry_after_goes_back_to_the_outbox_schedule(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig()
    jira.fail("PUT", r"/rest/api/3/issue/OPS-17", 429, headers={"Retry-After": "120"})
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    assert rig.runtime.writeback.drain() == {"sent": 1, "failed": 1, "parked": 0}
    (row,) = rig.runtime.store.rows(status="pending")
    assert row.step == "fields" and row.next_at >= rig.clock.now + 120
    rig.clock.advance(60)
    assert rig.runtime.writeback.drain() == {"sent": 0, "failed": 0, "parked": 0}  # not yet due
    rig.clock.advance(61)
    assert rig.runtime.writeback.drain()["sent"] == 1


def test_partial_failure_comment_accepted_field_rejected(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig(acme_jira={"mapping": {"priority": {p: "Urgent" for p in
                                                       ("P1", "P2", "P3", "P4", "P5")}}})
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    assert rig.runtime.writeback.drain() == {"sent": 1, "failed": 1, "parked": 0}
    assert len(jira.comment_texts("OPS-17")) == 1  # the comment went through
    (row,) = rig.runtime.store.rows(status="pending")
    assert row.step == "fields" and "priority: Specify a valid priority" in row.last_error
    jira.priorities.append("Urgent")  # the Jira admin adds the priority to the scheme
    rig.clock.advance(3600)
    assert rig.runtime.writeback.drain() == {"sent": 1, "failed": 0, "parked": 0}
    assert jira.issues["OPS-17"]["fields"]["priority"]["name"] == "Urgent"
    assert len(jira.comment_texts("OPS-17")) == 1


def test_permanent_rejection_is_parked_not_lost(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig(acme_jira={"mapping": {"issue_type": {"incident": "Nope", "request": "Nope",
                                                         "event": "Nope", "alert": "Nope"}}})
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    report = rig.drain()
    assert report["parked"] == 1 and report["sent"] == 1
    (parked,) = rig.runtime.store.rows(status="parked")
    assert parked.attempts == 4 and "issuetype" in parked.last_error
    assert rig.runtime.store.requeue(rig.clock.now) == 1  # `triage tickets outbox --retry`


def test_restart_in_the_middle_of_a_write_back_never_comments_twice(make_rig, jira) -> None:
    _seed(jira)
    rig = make_rig(acme_jira={"timeout_s": 0.5})
    # the comment is stored by Jira, but the response never arrives (client timeout)
    jira.hang("POST", r"/rest/api/3/issue/OPS-17/comment", seconds=1.0)
    rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    report = rig.runtime.writeback.drain()
    assert report["failed"] == 1 and len(jira.comment_texts("OPS-17")) == 1
    rig.runtime.clients.close()  # the process dies here; a new one opens the same database
    restarted = make_rig(clock=rig.clock)
    restarted.clock.advance(3600)
    assert restarted.drain()["sent"] == 1
    assert len(jira.comment_texts("OPS-17")) == 1  # found by its marker, not posted again
    assert restarted.runtime.store.counts() == {"done": 2}


def test_user_report_linked_to_the_incident_ticket_of_its_group(make_rig, jira) -> None:
    second = jira_issue("OPS-18", "Checkout broken for me too, payment fails",
                        "Same error page at checkout.", issue_id="10003",
                        components=["checkout-api"], created="2026-12-01T09:04:00.000+0000")
    _seed(jira, OUTAGE, second)
    rig = make_rig()
    (first,) = rig.triage(jira_webhook(issue=OUTAGE), "jira", "acme-jira")
    (report,) = rig.triage(jira_webhook(issue=second), "jira", "acme-jira")
    assert first.kind == "incident" and report.noise.group_id == first.noise.group_id
    rig.drain()
    (link,) = jira.calls("POST", r"/rest/api/3/issueLink")
    assert link.body == {"type": {"name": "Relates"}, "inwardIssue": {"key": "OPS-18"},
                         "outwardIssue": {"key": "OPS-17"}}
    comment = jira.comment_texts("OPS-18")[0]
    assert "tracked in OPS-17" in comment and "Incident INC-" in comment
