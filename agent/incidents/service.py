"""The incident lifecycle service: open from decisions or by hand, ack, mitigate, resolve.

Every surface (CLI, HTTP, Slack) calls these methods with an `Actor`; each checks the same
authorization, applies one state-machine transition and writes the change and its timeline
entry in one transaction. Listeners (Slack workflow, postmortems) hear about committed changes.
Decision-driven opening and linking (`observe`) lives in `agent.incidents.decision_intake`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent.config.org import OrgConfig
from agent.incidents.authz import TargetsFn, authorize
from agent.incidents.clock import Clock
from agent.incidents.decision_intake import DecisionIntake, decision_time
from agent.incidents.model import (
    ROLES,
    SYSTEM,
    Actor,
    Incident,
    IncidentError,
    Link,
    TimelineEntry,
    next_state,
)
from agent.incidents.store import IncidentStore
from agent.kernel.decision import Decision
from agent.kernel.taxonomy import PRIORITIES, severity_for

log = logging.getLogger(__name__)
Listener = Callable[[Incident, TimelineEntry], None]
# (signal_id, label overrides, author) -> labeled past case id; priority changes are evidence
LabelSink = Callable[[str, dict[str, Any], str], str | None]

__all__ = ["IncidentService", "LabelSink", "Listener", "decision_time"]


@dataclass
class IncidentService(DecisionIntake):
    """Lifecycle operations over one IncidentStore."""

    store: IncidentStore
    config: OrgConfig
    clock: Clock
    labels: LabelSink | None = None
    targets: TargetsFn | None = None  # escalation targets of an incident (authorization)
    listeners: list[Listener] = field(default_factory=list)
    correlation_window: timedelta = timedelta(hours=1)
    group_members: Callable[[str], list[Decision]] | None = None  # earlier signals of a group

    # -- reading ---------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        """One incident with links and timeline (UnknownIncident when absent)."""
        return self.store.get(incident_id)

    def list(self, status: str | None = None, *, open_only: bool = False,
             limit: int = 100) -> list[Incident]:
        """Incidents newest first."""
        return self.store.list(status, limit, open_only)

    # -- writing ---------------------------------------------------------------------------
    def _commit(self, incident: Incident, entry: TimelineEntry, *, new: bool = False,
                links: list[Link] = ()) -> Incident:
        with self.store.tx():
            if new:
                self.store.insert(incident)
            else:
                self.store.update(incident)
            for link in links:
                self.store.add_link(incident.id, link)
            self.store.add_entry(incident.id, entry)
        self.tell(incident, entry)
        return incident

    def tell(self, incident: Incident, entry: TimelineEntry) -> None:
        """Tell the listeners about a committed change (errors are logged, never raised)."""
        for listener in list(self.listeners):
            try:
                listener(incident, entry)
            except Exception:  # a listener (Slack, postmortem) never undoes a committed change
                log.exception("incident listener failed", extra={"incident": incident.id,
                                                                 "event": entry.event})

    def record(self, incident_id: str, event: str, detail: str, *, actor: Actor = SYSTEM,
               at: datetime | None = None, reason: str | None = None,
               data: dict[str, Any] | None = None,
               update: Callable[[Incident], None] | None = None) -> Incident:
        """Append a timeline entry (escalation, check, chat), optionally changing fields."""
        incident = self.store.get(incident_id, full=False)
        if update is not None:
            update(incident)
        entry = TimelineEntry(at or self.clock(), actor.label, event, detail, reason, data or {})
        return self._commit(incident, entry)

    def open(self, title: str, priority: str, actor: Actor, *, service: str | None = None,
             team: str | None = None, reason: str | None = None,
             at: datetime | None = None) -> Incident:
        """Declare an incident by hand."""
        if priority not in PRIORITIES:
            raise IncidentError(f"priority: must be one of {', '.join(PRIORITIES)}")
        if not title.strip():
            raise IncidentError("title: must not be empty")
        team = team or self.config.service_team(service)
        authorize(self.config, actor, "open", None if team is None else Incident(
            "new", title, "open", priority, severity_for(priority), self.clock(), actor.label,
            "human", team=team), targets=self.targets)
        when = at or self.clock()
        with self.store.tx():
            incident = Incident(self.store.next_id(), title.strip()[:300], "open", priority,
                                severity_for(priority), when, actor.label, "human",
                                service=service, team=team, engaged_at=when)
            entry = TimelineEntry(when, actor.label, "opened", f"declared {priority}: {title}",
                                  reason)
            self.store.insert(incident)
            self.store.add_entry(incident.id, entry)
        self.tell(incident, entry)
        return incident

    def _human(self, incident_id: str, verb: str, actor: Actor, reason: str | None,
               at: datetime | None) -> tuple[Incident, datetime]:
        incident = self.store.get(incident_id, full=False)
        authorize(self.config, actor, verb, incident, targets=self.targets)
        when = at or self.clock()
        if incident.engaged_at is None:
            incident.engaged_at = when
        return incident, when

    def transition(self, incident_id: str, verb: str, actor: Actor, *,
                   reason: str | None = None, at: datetime | None = None) -> Incident:
        """Apply one lifecycle verb (ack, mitigate, resolve, reopen) as `actor`."""
        incident, when = self._human(incident_id, verb, actor, reason, at)
        previous = incident.status
        incident.status = next_state(incident.id, previous, verb)
        if verb in ("ack", "mitigate", "resolve") and incident.acknowledged_at is None:
            incident.acknowledged_at, incident.acknowledged_by = when, actor.label
        if verb == "ack" and incident.commander is None and actor.via == "slack":
            incident.commander = actor.id
        if verb == "mitigate":
            incident.mitigated_at = when
        if verb == "resolve":
            incident.resolved_at, incident.resolved_by = when, actor.label
        if verb == "reopen":
            incident.resolved_at = incident.resolved_by = None
        entry = TimelineEntry(when, actor.label, {"ack": "acknowledged", "mitigate": "mitigated",
                                                  "resolve": "resolved",
                                                  "reopen": "reopened"}[verb],
                              f"{previous} → {incident.status}", reason)
        log.info("incident transition", extra={"incident": incident.id, "verb": verb,
                                               "actor": actor.label})
        return self._commit(incident, entry)

    def ack(self, incident_id: str, actor: Actor, **kw: Any) -> Incident:
        """Acknowledge: someone is on it (stops escalation)."""
        return self.transition(incident_id, "ack", actor, **kw)

    def mitigate(self, incident_id: str, actor: Actor, **kw: Any) -> Incident:
        """Mitigated: impact stopped, cause may remain."""
        return self.transition(incident_id, "mitigate", actor, **kw)

    def resolve(self, incident_id: str, actor: Actor, **kw: Any) -> Incident:
        """Resolved: the incident is over."""
        return self.transition(incident_id, "resolve", actor, **kw)

    def set_priority(self, incident_id: str, priority: str, actor: Actor, reason: str, *,
                     severity: str | None = None, at: datetime | None = None) -> Incident:
        """Change priority (and severity) with a reason; kept as a labeled past case."""
        if priority not in PRIORITIES:
            raise IncidentError(f"priority: must be one of {', '.join(PRIORITIES)}")
        if not reason or not reason.strip():
            raise IncidentError("reason: a priority change needs a reason")
        severity = severity or severity_for(priority)  # type: ignore[arg-type]
        if severity not in {f"SEV{i}" for i in range(1, 6)}:
            raise IncidentError("severity: must be SEV1 … SEV5")
        incident, when = self._human(incident_id, "priority", actor, reason, at)
        before = f"{incident.priority}/{incident.severity}"
        incident.priority, incident.severity = priority, severity
        cases = self._label_evidence(incident_id, priority, actor)
        entry = TimelineEntry(when, actor.label, "priority_changed",
                              f"{before} → {priority}/{severity}", reason.strip(),
                              {"from": before, "to": f"{priority}/{severity}", "cases": cases})
        return self._commit(incident, entry)

    def _label_evidence(self, incident_id: str, priority: str, actor: Actor) -> list[str]:
        if self.labels is None:
            return []
        out: list[str] = []
        for signal_id in [link.ref for link in self.store.links(incident_id)
                          if link.kind == "decision"]:
            try:
                case = self.labels(signal_id, {"priority": priority}, actor.label)
            except Exception:  # evidence is best effort; the change itself stands
                log.exception("could not record label evidence", extra={"signal": signal_id})
                continue
            if case:
                out.append(case)
        return out

    def assign(self, incident_id: str, role: str, user: str, actor: Actor, *,
               reason: str | None = None, at: datetime | None = None) -> Incident:
        """Give a role (commander hand-over included) to a user."""
        if role not in ROLES:
            raise IncidentError(f"role: must be one of {', '.join(ROLES)}")
        if not user.strip():
            raise IncidentError("user: must not be empty")
        incident, when = self._human(incident_id, "assign", actor, reason, at)
        before = incident.commander if role == "commander" else incident.roles.get(role)
        if role == "commander":
            incident.commander = user
        incident.roles = {**incident.roles, role: user}
        entry = TimelineEntry(when, actor.label, "role_assigned",
                              f"{role}: {before or 'nobody'} → {user}", reason)
        return self._commit(incident, entry)

    def link_signal(self, incident_id: str, signal_id: str, *, actor: Actor = SYSTEM,
                    detail: str = "", at: datetime | None = None) -> bool:
        """Attach a signal (a user-report ticket, say) to an incident; False if already there."""
        self.store.get(incident_id, full=False)
        when = at or self.clock()
        with self.store.tx():
            added = self.store.add_link(incident_id, Link("signal", signal_id, when, detail))
            if added:
                self.store.add_entry(incident_id, TimelineEntry(
                    when, actor.label, "signal_linked", detail or f"signal {signal_id}", None,
                    {"signal_id": signal_id}))
        return added

    def link_chat(self, incident_id: str, channel: str, ts: str, *, actor: Actor = SYSTEM,
                  detail: str = "") -> bool:
        """Attach a chat message or thread (`channel:ts`)."""
        with self.store.tx():
            return self.store.add_link(incident_id, Link("chat", f"{channel}:{ts}", self.clock(),
                                                         detail))
