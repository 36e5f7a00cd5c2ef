"""Decision intake for incidents: open one from an incident decision, link later decisions.

`DecisionIntake` is mixed into `IncidentService`; it groups the signal-driven side of the
lifecycle (correlation, linking, automatic priority raises, action status entries).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from agent.incidents.clock import Clock
from agent.incidents.model import SYSTEM, Incident, Link, TimelineEntry
from agent.incidents.store import IncidentStore
from agent.kernel.decision import Decision


def decision_time(decision: Decision) -> datetime:
    """The time a decision happened in the signal stream (its timestamp, else receive time)."""
    return decision.timestamp or decision.received_at


def _facts(decision: Decision) -> dict[str, Any]:
    return {"signal_id": decision.signal_id, "fingerprint": decision.fingerprint,
            "kind": decision.kind, "status": decision.status, "priority": decision.priority,
            "source": decision.source}


def _notable(decision: Decision) -> bool:
    noise = decision.noise
    return not noise.duplicate_of and not noise.suppressed_by


class DecisionIntake:
    """Mixin of IncidentService: the decision-driven operations (needs its store and clock)."""

    store: IncidentStore
    clock: Clock
    correlation_window: timedelta
    group_members: Callable[[str], list[Decision]] | None
    tell: Callable[[Incident, TimelineEntry], None]

    def observe(self, decision: Decision, runbook: str | None = None) -> Incident | None:
        """Open an incident for an incident decision, or link a decision to its group's one.

        Idempotent: observing the same decision again only records action status changes.
        """
        gid = decision.noise.group_id
        existing = self.store.open_for_group([gid]) if gid else None
        if existing is None:
            existing = self.store.for_link("decision", decision.signal_id)
        if existing is None and decision.service and decision.kind in ("alert", "incident"):
            # correlated signals of one service join its open incident (within the window)
            since = decision_time(decision) - self.correlation_window
            existing = self.store.open_for_service(decision.service, since)
        if existing is not None:
            return self._link_decision(existing, decision)
        if decision.kind != "incident" or decision.status == "resolved" or not _notable(decision):
            return None
        at = decision_time(decision)
        title = decision.title or f"{decision.kind} on {decision.service or 'unknown service'}"
        with self.store.tx():
            again = self.store.open_for_group([gid]) if gid else None
            if again is not None:  # another process opened it meanwhile
                incident = again
            else:
                incident = Incident(
                    self.store.next_id(), title[:300], "open", decision.priority,
                    decision.severity, at, SYSTEM.label, "decision", service=decision.service,
                    team=decision.team, group_id=gid or None, runbook=runbook or (
                        decision.runbooks[0].id if decision.runbooks else None),
                    summary=decision.rationale[:1000])
                self.store.insert(incident)
                entry = TimelineEntry(at, SYSTEM.label, "opened",
                                      f"{decision.priority} {decision.kind} from signal "
                                      f"{decision.signal_id}", None, _facts(decision))
                self.store.add_entry(incident.id, entry)
        if again is not None:
            return self._link_decision(again, decision)
        self.tell(incident, entry)
        for earlier in self.group_members(gid) if (self.group_members and gid) else []:
            if earlier.signal_id != decision.signal_id and _notable(earlier):
                self._link_decision(incident, earlier)
        return self._link_decision(incident, decision)

    def _link_decision(self, incident: Incident, decision: Decision) -> Incident:
        at = decision_time(decision)
        entries: list[TimelineEntry] = []
        with self.store.tx():
            self.store.add_link(incident.id, Link("signal", decision.signal_id, at, decision.title))
            if self.store.add_link(incident.id, Link("decision", decision.signal_id, at,
                                                     f"{decision.kind} {decision.priority}")):
                entries.append(TimelineEntry(at, SYSTEM.label, "signal_linked", (
                    f"{decision.kind} {decision.priority} {decision.status}: "
                    f"{decision.title}")[:300], None, _facts(decision)))
            raised = self._raise_priority(incident, decision, at)
            if raised is not None:
                entries.append(raised)
            current = self.store.link_details(incident.id, "action", f"{decision.signal_id}#")
            now = max(at, self.clock())  # an action changes status when it runs, not earlier
            for i, action in enumerate(decision.actions):
                ref = f"{decision.signal_id}#{i}:{action.tool}"
                if ref not in current:
                    self.store.add_link(incident.id, Link("action", ref, at, action.status))
                elif current[ref] != action.status:
                    self.store.set_link_detail(incident.id, "action", ref, action.status)
                else:
                    continue
                entries.append(TimelineEntry(now, SYSTEM.label, f"action_{action.status}",
                                             f"{action.tool} {action.status}", None,
                                             {"action": ref, "tool": action.tool}))
            for entry in entries:
                self.store.add_entry(incident.id, entry)
        for entry in entries:
            self.tell(incident, entry)
        return incident

    def _raise_priority(self, incident: Incident, decision: Decision,
                        at: datetime) -> TimelineEntry | None:
        """A linked decision of higher priority raises the incident's (unless a human set it)."""
        if decision.kind not in ("alert", "incident") or not _notable(decision):
            return None
        if decision.priority >= incident.priority:  # "P1" < "P2"
            return None
        current = self.store.get(incident.id, full=False)
        if any(e.event == "priority_changed" for e in self.store.timeline(incident.id)):
            return None
        before = current.priority
        current.priority, current.severity = decision.priority, decision.severity
        incident.priority, incident.severity = current.priority, current.severity
        self.store.update(current)
        return TimelineEntry(at, SYSTEM.label, "priority_raised",
                             f"{before} → {decision.priority} by signal {decision.signal_id}",
                             None, {"signal_id": decision.signal_id})
