"""Poll mode with a persisted cursor: a restart neither skips nor repeats a ticket."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.ticket_payloads import jira_issue

START = {"enabled": True, "page_size": 2, "start": "2026-12-01T08:00:00Z"}


class Crash(Exception):
    """The process dies while delivering."""


def _collector(rig, crash_after: int | None = None):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def deliver(system: str, name: str, payload: dict, key: str) -> list[str]:
        if crash_after is not None and len(seen) >= crash_after:
            raise Crash(key)
        decisions = rig.pipeline.triage(payload, system, delivery_key=key)
        seen.append(key.split(":")[2])
        return [d.signal_id for d in decisions]
    return deliver, seen


def test_jira_poll_restart_neither_skips_nor_repeats(make_rig, jira) -> None:
    stamps = ["09:00:10", "09:00:40", "09:00:40", "09:02:00", "09:05:00"]
    for n, stamp in enumerate(stamps, 1):
        jira.add_issue(jira_issue(f"OPS-{n}", f"Printer {n} jammed", "jam", issue_id=str(n),
                                  created=f"2026-12-01T{stamp}.000+0000",
                                  updated=f"2026-12-01T{stamp}.000+0000"))
    rig = make_rig(acme_jira={"poll": START})
    deliver, first = _collector(rig, crash_after=2)
    with pytest.raises(Crash):
        rig.runtime.poll_all(deliver)
    assert first == ["OPS-1", "OPS-2"]
    restarted = make_rig(acme_jira={"poll": START})
    deliver, second = _collector(restarted)
    report = restarted.runtime.poll_all(deliver)["acme-jira"]
    assert second == ["OPS-3", "OPS-4", "OPS-5"]  # OPS-3 shares OPS-2's timestamp
    assert report.skipped >= 2  # the minute window re-reads OPS-1 and OPS-2, skipped
    assert Counter(first + second) == Counter(f"OPS-{n}" for n in range(1, 6))
    jql = jira.calls("POST", r"/rest/api/3/search/jql")[-1].body["jql"]
    assert 'updated >= "2026-12-01 09:00"' in jql and jql.endswith("ORDER BY updated ASC, key ASC")
    # a later update of one ticket is picked up once
    jira.issues["OPS-2"]["fields"]["updated"] = "2026-12-01T09:30:00.000+0000"
    deliver, third = _collector(restarted)
    restarted.runtime.poll_all(deliver)
    assert third == ["OPS-2"]
    deliver, fourth = _collector(restarted)
    restarted.runtime.poll_all(deliver)
    assert fourth == []


def test_servicenow_poll_each_table_with_its_cursor(make_rig, snow) -> None:
    for n in range(3):
        snow.add_record("incident", {"sys_id": f"i{n}", "number": f"INC00100{n}",
                                     "short_description": f"Disk full on db-{n}",
                                     "sys_updated_on": f"2026-12-01 09:0{n}:00",
                                     "opened_at": f"2026-12-01 09:0{n}:00"})
    snow.add_record("sc_request", {"sys_id": "r1", "number": "REQ0010001",
                                   "short_description": "New monitor please",
                                   "sys_updated_on": "2026-12-01 09:01:00"})
    rig = make_rig(acme_snow={"poll": {**START, "query": "active=true"}})
    deliver, seen = _collector(rig)
    rig.runtime.poll_all(deliver)
    assert seen == ["INC001000", "INC001001", "INC001002", "REQ0010001"]
    query = snow.calls("GET", r"/api/now/table/incident")[0].query["sysparm_query"]
    assert query.startswith("sys_updated_on>=2026-12-01 08:00:00^active=true^ORDERBY")
    deliver, again = _collector(rig)
    rig.runtime.poll_all(deliver)
    assert again == []


def test_zendesk_incremental_export_resumes_from_its_cursor(make_rig, zendesk) -> None:
    for n in range(1, 4):
        zendesk.add_ticket({"id": n, "subject": f"VPN drops every hour ({n})",
                            "description": "it drops", "status": "open", "priority": "normal",
                            "updated_at": f"2026-12-01T09:0{n}:00Z",
                            "created_at": f"2026-12-01T09:0{n}:00Z", "tags": []})
    rig = make_rig(acme_zd={"poll": START})
    deliver, seen = _collector(rig)
    rig.runtime.poll_all(deliver)
    assert seen == ["1", "2", "3"]
    calls = zendesk.calls("GET", r"/api/v2/incremental/tickets/cursor\.json")
    assert "start_time" in calls[0].query and "cursor" in calls[-1].query
    zendesk.tickets["2"]["updated_at"] = "2026-12-01T10:00:00Z"
    deliver, later = _collector(rig)
    rig.runtime.poll_all(deliver)
    assert later == ["2"]
    assert "cursor" in zendesk.calls("GET", r"/api/v2/incremental/tickets/cursor\.json")[-1].query
