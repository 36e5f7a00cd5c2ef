"""Decision → ticket fields through the configurable mapping table, and the comment text.

Defaults per system (used when the config's table is empty): Jira priority names
Highest/High/Medium/Low/Lowest; ServiceNow impact and urgency codes 1/2/3 (its priority is
computed from them); Zendesk priority urgent/high/normal/low and ticket type incident (for
incidents) / task (for requests). The issue type is only changed where a table names one.
A field a human changed after triage (an override) is never written again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent.config.tickets import TicketInstance
from agent.kernel.decision import Decision
from agent.kernel.redact import redact
from agent.signals.fingerprint import canonical_hash
from agent.tickets.types import TicketFields, TicketTarget

LEVEL_CODES = {"high": "1", "medium": "2", "low": "3"}
DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    "jira": {"priority": {"P1": "Highest", "P2": "High", "P3": "Medium", "P4": "Low",
                          "P5": "Lowest"}},
    "servicenow": {"impact": LEVEL_CODES, "urgency": LEVEL_CODES},
    "zendesk": {"priority": {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low",
                             "P5": "low"},
                "issue_type": {"incident": "incident", "request": "task"}},
}
MARKER = "[triage:{}]"


@dataclass
class WritePlan:
    """Everything one decision version writes to one ticket."""

    version: str
    fields: TicketFields
    comment: str
    marker: str
    link_to: TicketTarget | None


def table(inst: TicketInstance, name: str) -> dict[str, str]:
    """The configured mapping table `name`, else the system default."""
    configured: dict[str, str] = getattr(inst.mapping, name)
    return configured or DEFAULTS.get(inst.system, {}).get(name, {})


def reverse(inst: TicketInstance, name: str, value: str | None) -> str | None:
    """The Triage value a ticket value maps back from (High → P2), or None."""
    if value is None:
        return None
    matches = [k for k, v in table(inst, name).items() if v.lower() == value.lower()]
    return matches[0] if matches else None


def ticket_fields(decision: Decision, inst: TicketInstance,
                  overridden: Iterable[str] = ()) -> TicketFields:
    """The fields this decision sets on a ticket of `inst` (overridden fields left alone)."""
    skip = set(overridden)
    labels = list(inst.mapping.labels)
    if inst.mapping.kind_label:
        labels.append(f"triage-{decision.kind}")
    fields = TicketFields(
        priority=table(inst, "priority").get(decision.priority),
        impact=table(inst, "impact").get(decision.impact),
        urgency=table(inst, "urgency").get(decision.urgency),
        issue_type=table(inst, "issue_type").get(decision.kind),
        group=inst.mapping.groups.get(decision.team or ""),
        labels=labels if inst.system != "servicenow" else [],
    )
    for name in skip & {"priority", "impact", "urgency", "issue_type", "group"}:
        setattr(fields, name, None)
    return fields


def _comment(decision: Decision, marker: str, link_to: TicketTarget | None,
             inst: TicketInstance, incident_id: str | None) -> str:
    lines = [f"Triage: {decision.kind} · {decision.priority} (impact {decision.impact} × "
             f"urgency {decision.urgency}) · team {decision.team or '-'} · service "
             f"{decision.service or '-'}" + (" · security" if decision.security else "")]
    if decision.rationale:
        lines.append(f"Why: {decision.rationale[:600]}")
    if decision.runbooks:
        lines.append("Runbooks: " + ", ".join(f"{r.id} ({r.title})" for r in decision.runbooks[:3]))
    if incident_id is not None:
        lines.append(f"Incident {incident_id}" + (f", tracked in {link_to.key}." if link_to
                                                  else "."))
    elif link_to is not None:
        lines.append(f"Part of the incident tracked in {link_to.key}.")
    elif decision.noise.group_id and decision.kind == "incident":
        lines.append(f"Incident group: {decision.noise.group_id}")
    if inst.triage_url:
        lines.append(f"Decision: {inst.triage_url}/v1/signals/{decision.signal_id}")
    lines.append("Priority, team and type written by the sender were read as evidence only.")
    return redact("\n".join(lines)) + " " + marker  # never echo a secret the sender pasted


def plan(decision: Decision, inst: TicketInstance, link_to: TicketTarget | None = None,
         overridden: Iterable[str] = (), incident_id: str | None = None) -> WritePlan:
    """The write-back plan for one decision; its version changes only when what it writes does."""
    fields = ticket_fields(decision, inst, overridden)
    version = canonical_hash("writeback", decision.kind, decision.priority, decision.impact,
                             decision.urgency, decision.team, decision.security,
                             [r.id for r in decision.runbooks[:3]],
                             link_to.key if link_to else None, incident_id, fields.as_dict())
    marker = MARKER.format(version)
    return WritePlan(version=version, fields=fields, marker=marker,
                     comment=_comment(decision, marker, link_to, inst, incident_id),
                     link_to=link_to)
