"""Decision → ticket fields and comment: mapping tables, overrides left alone, no secret echoed."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.config.tickets import TicketInstance
from agent.kernel.decision import Decision
from agent.tickets.mapping import plan, reverse


def _decision(**kw: object) -> Decision:
    base = dict(signal_id="s1", source="ticket", fingerprint="f", kind="incident",
                received_at=datetime(2026, 12, 1, tzinfo=UTC), event_type="exception",
                impact="high", urgency="medium", priority="P2", severity="SEV2",
                team="payments", rationale="Reporter wrote: my password=hunter2 fails")
    base.update(kw)
    return Decision.model_validate(base)


def test_defaults_per_system_and_version_stability() -> None:
    jira = TicketInstance(system="jira", base_url="https://j.example",
                          mapping={"groups": {"payments": "Payments"}})
    snow = TicketInstance(system="servicenow", base_url="https://s.example")
    zd = TicketInstance(system="zendesk", base_url="https://z.example")
    p = plan(_decision(), jira)
    assert (p.fields.priority, p.fields.group, p.fields.issue_type) == ("High", "Payments", None)
    assert p.fields.labels == ["triage", "triage-incident"]
    s = plan(_decision(), snow).fields
    assert (s.impact, s.urgency, s.priority, s.labels) == ("1", "2", None, [])
    z = plan(_decision(), zd).fields
    assert (z.priority, z.issue_type) == ("high", "incident")
    assert plan(_decision(), jira).version == p.version
    assert plan(_decision(priority="P1"), jira).version != p.version
    assert reverse(jira, "priority", "highest") == "P1" and reverse(zd, "priority", "x") is None


def test_overridden_fields_are_not_written_and_secrets_not_echoed() -> None:
    jira = TicketInstance(system="jira", base_url="https://j.example")
    p = plan(_decision(), jira, overridden=["priority"])
    assert p.fields.priority is None
    assert "hunter2" not in p.comment and p.comment.endswith(p.marker)
