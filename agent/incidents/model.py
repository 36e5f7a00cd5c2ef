"""Incident records, their timeline and the one lifecycle state machine.

open → acknowledged → mitigated → resolved; acknowledging is implied by a later step (the first
human step sets `acknowledged_at`), a resolved incident may be reopened. Anything else is an
`IllegalTransition` naming the incident, its state and the verb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

State = Literal["open", "acknowledged", "mitigated", "resolved"]
Verb = Literal["ack", "mitigate", "resolve", "reopen"]
STATES: tuple[State, ...] = ("open", "acknowledged", "mitigated", "resolved")
Outcome = Literal["verified", "not_verified", "unknown"]

# verb → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[State, ...], State]] = {
    "ack": (("open",), "acknowledged"),
    "mitigate": (("open", "acknowledged"), "mitigated"),
    "resolve": (("open", "acknowledged", "mitigated"), "resolved"),
    "reopen": (("mitigated", "resolved"), "open"),
}
ROLES = ("commander", "communications", "operations", "scribe")


class IncidentError(ValueError):
    """A request about incidents that cannot be served (unknown id, bad field)."""


class UnknownIncident(IncidentError):
    """No incident with that id."""


class IllegalTransition(IncidentError):
    """The lifecycle does not allow this verb from the incident's current state."""

    def __init__(self, incident_id: str, state: str, verb: str) -> None:
        allowed = [v for v, (src, _) in TRANSITIONS.items() if state in src]
        super().__init__(f"incident {incident_id} is {state}: cannot {verb} "
                         f"(allowed: {', '.join(allowed) or 'nothing'})")
        self.incident_id, self.state, self.verb = incident_id, state, verb


class NotAuthorized(IncidentError):
    """The actor may not do this to this incident."""


def next_state(incident_id: str, state: str, verb: str) -> State:
    """The state `verb` leads to from `state`, or IllegalTransition."""
    if verb not in TRANSITIONS:
        raise IncidentError(f"unknown verb {verb!r}; expected one of {', '.join(TRANSITIONS)}")
    sources, target = TRANSITIONS[verb]
    if state not in sources:
        raise IllegalTransition(incident_id, state, verb)
    return target


@dataclass(frozen=True)
class Actor:
    """Who does something: a Slack user, an API principal, a CLI operator or the system."""

    id: str
    via: Literal["slack", "api", "cli", "system"]
    scopes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """`via:id`, as written in the timeline."""
        return f"{self.via}:{self.id}"


SYSTEM = Actor("triage", "system")


@dataclass
class TimelineEntry:
    """One change of an incident: when, who, what and why."""

    at: datetime
    actor: str
    event: str
    detail: str = ""
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass
class Link:
    """Something attached to an incident: a signal, a decision, an action or a chat message."""

    kind: Literal["signal", "decision", "action", "chat", "incident"]
    ref: str
    at: datetime
    detail: str = ""


@dataclass
class Incident:
    """An incident record: lifecycle, priority, people, links and outcomes."""

    id: str
    title: str
    status: State
    priority: str
    severity: str
    opened_at: datetime
    opened_by: str
    origin: Literal["decision", "human"]
    service: str | None = None
    team: str | None = None
    group_id: str | None = None
    commander: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    engaged_at: datetime | None = None  # first human response of any kind
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    verification: Outcome | None = None
    escalations: int = 0
    slack_channel: str | None = None
    postmortem_id: str | None = None
    runbook: str | None = None
    summary: str = ""
    links: list[Link] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Not resolved yet."""
        return self.status != "resolved"

    def linked(self, kind: str) -> list[str]:
        """Refs of one link kind, in link order."""
        return [link.ref for link in self.links if link.kind == kind]
