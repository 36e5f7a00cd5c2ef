"""Escalation: page the policy's levels in turn until someone acknowledges.

Step 0 pages level 1 when the incident opens; step k pages level (k mod n) once step k-1's
timeout passed without an acknowledgement, for `repeat + 1` rounds. Quiet hours defer a step's
due time; overrides swap who is paged. Due times derive only from the incident's open time and
the policy, and `tick(now)` records every step due by `now` at its due time, so a replay that
ticks once at the end escalates exactly as a live run that ticked every second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from agent.config.escalation import IncidentsSection, Policy, Target
from agent.incidents.model import SYSTEM, Incident, TimelineEntry
from agent.incidents.outbox import Notifier, Outbox, OutboxItem
from agent.incidents.service import IncidentService

log = logging.getLogger(__name__)
STOP_EVENTS = ("acknowledged", "mitigated", "resolved")


@dataclass(frozen=True)
class Step:
    """One planned escalation step."""

    index: int
    level: int  # 0-based
    cycle: int  # 0-based round through the levels
    due: datetime
    targets: tuple[str, ...]

    @property
    def is_escalation(self) -> bool:
        """Every step after the first page is an escalation."""
        return self.index > 0


def resolve_targets(section: IncidentsSection, incident: Incident, targets: list[Target],
                    at: datetime) -> tuple[str, ...]:
    """Concrete `type:address` targets, on-call expanded and overrides applied at `at`."""
    out: list[str] = []
    for target in targets:
        if target.on_call:
            users = section.on_call.get(incident.team or "", [])
            out += [f"slack_user:{section.responder(u, at)}" for u in users]
        elif target.slack_user:
            out.append(f"slack_user:{section.responder(target.slack_user, at)}")
        elif target.slack_group:
            out.append(f"slack_group:{target.slack_group}")
        elif target.slack_channel:
            out.append(f"slack_channel:{target.slack_channel}")
        elif target.webhook:
            out.append(f"webhook:{target.webhook}")
    return tuple(dict.fromkeys(out))


def plan(section: IncidentsSection, policy: Policy, incident: Incident) -> list[Step]:
    """Every step the policy would take for an incident nobody acknowledges."""
    steps: list[Step] = []
    due = incident.opened_at
    n = len(policy.levels)
    for index in range(n * (policy.repeat + 1)):
        level = policy.levels[index % n]
        if policy.quiet_hours is not None:
            due = policy.quiet_hours.deferred(due, incident.priority)
        steps.append(Step(index, index % n, index // n, due,
                          resolve_targets(section, incident, level.targets, due)))
        due = due + level.timeout
    return steps


def page_text(incident: Incident, step: Step, why: str) -> str:
    """The page a target receives."""
    return (f":rotating_light: {incident.id} {incident.priority} {incident.title} — {why} "
            f"(level {step.level + 1}, round {step.cycle + 1}); acknowledge with the button, "
            f"in the incident channel, or `triage incidents ack {incident.id}`")


@dataclass
class EscalationEngine:
    """Records due escalation steps in the outbox and the timeline, then delivers them."""

    incidents: IncidentService
    section: IncidentsSection
    notifiers: list[Notifier] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.incidents.store)
        self.incidents.listeners.append(self._on_change)
        self.incidents.targets = self.targets_of

    def policy(self, incident: Incident) -> Policy | None:
        """The escalation policy that applies to the incident."""
        return self.section.policy_for(incident.team, incident.service)

    def targets_of(self, incident: Incident) -> set[str]:
        """Slack users the policy pages for this incident (they may act on it)."""
        policy = self.policy(incident)
        if policy is None:
            return set()
        return {t.split(":", 1)[1] for s in plan(self.section, policy, incident)
                for t in s.targets if t.startswith("slack_user:")}

    def _on_change(self, incident: Incident, entry: TimelineEntry) -> None:
        if entry.event in STOP_EVENTS:
            cancelled = self.outbox.cancel(incident.id, f"{entry.event} by {entry.actor}")
            if cancelled:
                log.info("pages cancelled", extra={"incident": incident.id, "n": cancelled})

    def _record(self, incident: Incident, step: Step, key: str, why: str,
                event: str) -> bool:
        store = self.incidents.store
        with store.tx():
            if self.outbox.has_prefix(key + ":"):
                return False
            text = page_text(incident, step, why)
            for j, target in enumerate(step.targets or ("none:",)):
                self.outbox.add(OutboxItem(f"{key}:{j}", incident.id, "page", target,
                                           {"text": text, "level": step.level,
                                            "cycle": step.cycle, "priority": incident.priority,
                                            "title": incident.title}, step.due), step.due)
            current = store.get(incident.id, full=False)
            if step.is_escalation or event != "paged":
                current.escalations += 1
            store.update(current)
            entry = TimelineEntry(step.due, SYSTEM.label, event, (
                f"level {step.level + 1} round {step.cycle + 1}: "
                f"{', '.join(step.targets) or 'no targets'} ({why})")[:500], None,
                {"level": step.level, "cycle": step.cycle, "targets": list(step.targets),
                 "key": key})
            store.add_entry(incident.id, entry)
        incident.escalations = current.escalations
        self.incidents.tell(current, entry)
        log.info("escalation step", extra={"incident": incident.id, "key": key,
                                           "targets": list(step.targets)})
        return True

    def tick(self, now: datetime) -> list[str]:
        """Record every step due by `now` for unacknowledged incidents; deliver due pages."""
        recorded: list[str] = []
        if not self.section.escalation:  # no policies: nothing to page (the common fast path)
            self.deliver(now)
            return recorded
        for incident in self.incidents.store.list("open", limit=10_000):
            policy = self.policy(incident)
            if policy is None:
                continue
            for step in plan(self.section, policy, incident):
                if step.due > now:
                    break
                key = f"esc:{incident.id}:{step.index}"
                why = ("incident opened" if step.index == 0 else
                       "not acknowledged within the previous level's timeout")
                if self._record(incident, step, key, why,
                                "escalated" if step.is_escalation else "paged"):
                    recorded.append(key)
        self.deliver(now)
        return recorded

    def escalate_now(self, incident_id: str, why: str, at: datetime) -> str | None:
        """An out-of-band escalation (a failed remediation check) to the next level."""
        incident = self.incidents.store.get(incident_id, full=False)
        policy = self.policy(incident)
        if policy is None:
            self.incidents.record(incident_id, "escalation_skipped",
                                  f"no escalation policy ({why})", at=at)
            return None
        done = len([e for e in self.incidents.store.timeline(incident_id)
                    if e.event in ("paged", "escalated", "escalated_now")])
        level = min(1, len(policy.levels) - 1) if done else 0
        step = Step(10_000 + done, level, 0, at,
                    resolve_targets(self.section, incident, policy.levels[level].targets, at))
        key = f"esc:{incident_id}:now:{done}"
        if not self._record(incident, step, key, why, "escalated_now"):
            return None
        self.deliver(at)
        return key

    def deliver(self, now: datetime) -> list[OutboxItem]:
        """Send due outbox rows through the notifiers."""
        return self.outbox.deliver(self.notifiers, now)
