"""Plain views of incidents for JSON surfaces (API, CLI --json) and one-line text."""

from __future__ import annotations

from typing import Any

from agent.incidents.model import Incident


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def incident_dict(incident: Incident, *, full: bool = True) -> dict[str, Any]:
    """An incident as a JSON-ready dict (timeline and links when `full`)."""
    out: dict[str, Any] = {
        "id": incident.id, "title": incident.title, "state": incident.status,
        "priority": incident.priority, "severity": incident.severity,
        "service": incident.service, "team": incident.team, "group_id": incident.group_id,
        "origin": incident.origin, "opened_by": incident.opened_by,
        "commander": incident.commander, "roles": incident.roles,
        "opened_at": _iso(incident.opened_at), "acknowledged_at": _iso(incident.acknowledged_at),
        "acknowledged_by": incident.acknowledged_by, "engaged_at": _iso(incident.engaged_at),
        "mitigated_at": _iso(incident.mitigated_at), "resolved_at": _iso(incident.resolved_at),
        "resolved_by": incident.resolved_by, "verification": incident.verification,
        "escalations": incident.escalations, "slack_channel": incident.slack_channel,
        "postmortem_id": incident.postmortem_id, "runbook": incident.runbook,
    }
    if full:
        out["links"] = [{"kind": link.kind, "ref": link.ref, "at": _iso(link.at),
                         "detail": link.detail} for link in incident.links]
        out["timeline"] = [{"at": _iso(e.at), "actor": e.actor, "event": e.event,
                            "detail": e.detail, "reason": e.reason} for e in incident.timeline]
    return out


def one_line(incident: Incident) -> str:
    """`INC-3 acknowledged P2 payments checkout-api: title (commander)`."""
    who = f" (commander {incident.commander})" if incident.commander else ""
    return (f"{incident.id} {incident.status} {incident.priority} {incident.team or '-'} "
            f"{incident.service or '-'}: {incident.title}{who}")
