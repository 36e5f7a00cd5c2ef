"""Inbound ticket updates: human overrides become labeled history; echoes of our writes are
recognized.

When an agent changes the priority, type, impact/urgency or group of a ticket after Triage
wrote it (a Jira changelog, a Zendesk `*_changed` event, a ServiceNow update, or a poll that
sees the new value), the change is an override: the field is never written again for that
ticket, it is recorded in `ticket_overrides`, and the corrected labels go through the
knowledge base's feedback path (`knowledge.feedback.record_feedback`) as a labeled past case
with its provenance (system, ticket, field, before → after, who). Changes made by the
integration account, or that set exactly what Triage wrote, are echoes, not overrides; an
update event that carries nothing but echoes, or a comment with Triage's marker, is not
triaged again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from agent.config.tickets import TicketInstance, TicketsSection
from agent.kernel.errors import SignalParseError
from agent.kernel.taxonomy import priority_for
from agent.signals.formats.jira import jira_record
from agent.signals.formats.servicenow import code, record_bodies, servicenow_record
from agent.signals.formats.ticketing import TicketRecord, is_own_comment, named
from agent.signals.formats.zendesk import zendesk_record
from agent.signals.parse import decode_payload
from agent.tickets.mapping import reverse
from agent.tickets.outbox import TicketState, TicketStore
from agent.tickets.writeback import SignalSource

log = logging.getLogger(__name__)
FIELDS = ("priority", "issue_type", "group", "impact", "urgency")


class CaseSink(Protocol):
    """Where labeled past cases go (the KnowledgeBase)."""

    def add_case_record(self, case: dict[str, Any], origin: str = "feedback") -> None:
        """Store one built case."""


def records_of(system: str, value: Any) -> list[tuple[TicketRecord, dict[str, Any]]]:
    """The ticket records in a decoded body, each with its raw record object."""
    if not isinstance(value, dict):
        return []
    if system == "jira":
        return [(jira_record(value), value)]
    if system == "zendesk":
        return [(zendesk_record(value), value)]
    if system == "servicenow":
        return [(servicenow_record(rec, table, where), rec)
                for rec, table, where in record_bodies(value)]
    return []


def current_values(rec: TicketRecord, raw: dict[str, Any], inst: TicketInstance
                   ) -> dict[str, set[str]]:
    """The ticket's current value of each writable field (display and raw forms)."""
    values = {"priority": rec.priority, "issue_type": rec.issue_type, "group": rec.group,
              "impact": rec.impact, "urgency": rec.urgency}
    out = {k: {v.lower()} for k, v in values.items() if v}
    if inst.system == "servicenow" and (sys_id := code(raw.get("assignment_group"))):
        out.setdefault("group", set()).add(sys_id.lower())
    if inst.system == "jira" and inst.mapping.team_field:
        issue = raw.get("issue") if "webhookEvent" in raw else raw
        team = ((issue or {}).get("fields") or {}).get(inst.mapping.team_field)
        if (name := named(team)):
            out["group"] = {name.lower()}
    return out


def _author(rec: TicketRecord, field: str) -> str | None:
    names = {"group": "assignment_group"}.get(field, field)
    for change in rec.changes:
        if change.field == names and change.author:
            return change.author
    return rec.extra.get("updated_by") or (rec.changes[0].author if rec.changes else None)


class TicketInbound:
    """The routes' and the poller's view of inbound ticket bodies before they are ingested."""

    def __init__(self, store: TicketStore, section: TicketsSection, signals: SignalSource,
                 cases: CaseSink | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.section, self.signals = store, section, signals
        self.cases, self.clock = cases, clock

    def before_ingest(self, system: str, instance: str | None, body: bytes | dict[str, Any]
                      ) -> str | None:
        """Record overrides in the body; return a reason to skip ingest (our own echo)."""
        found = self.section.of_system(system, instance)
        if found is None:
            return None
        name, inst = found
        try:
            value = decode_payload(body, system) if not isinstance(body, dict) else body
            records = records_of(system, value)
        except SignalParseError:
            return None  # the ingest path answers with the field at fault
        echoes = 0
        for rec, raw in records:
            state = self.store.state(name, rec.ticket_id)
            if state is None:
                continue
            changed = self._overrides(name, inst, rec, raw, state)
            if not changed and self._is_echo(rec, inst, state):
                echoes += 1
        if records and echoes == len(records):
            return "an echo of Triage's own write-back"
        return None

    def after_ingest(self, system: str, instance: str | None, signal_ids: list[str]) -> None:
        """Remember which instance the stored signals came from."""
        found = self.section.of_system(system, instance)
        if found is not None and signal_ids:
            self.store.remember_signals(found[0], signal_ids)

    def _is_echo(self, rec: TicketRecord, inst: TicketInstance, state: TicketState) -> bool:
        """True when the event only reports what Triage itself wrote."""
        if rec.comment:
            return is_own_comment(rec)
        author = rec.extra.get("updated_by") or (rec.changes[0].author if rec.changes else None)
        if inst.integration_user and author == inst.integration_user:
            return True
        if not rec.changes:
            return False
        ours = [state.written.get("confirmed") or {}, state.written.get("intended") or {}]
        for change in rec.changes:
            field = "group" if change.field == "assignment_group" else change.field
            if field == "tags":
                labels = {str(x).lower() for w in ours for x in w.get("labels") or []}
                before = set((change.before or "").lower().replace(",", " ").split())
                added = set((change.after or "").lower().replace(",", " ").split()) - before
                teams = {tag for tag in added if tag.startswith("team-")}
                if not added or not added <= labels | teams:
                    return False
                continue
            values = {str(w[field]).lower() for w in ours if w.get(field)}
            if field not in FIELDS or not change.after or change.after.lower() not in values:
                return False
        return True

    def _overrides(self, name: str, inst: TicketInstance, rec: TicketRecord,
                   raw: dict[str, Any], state: TicketState) -> list[str]:
        current = current_values(rec, raw, inst)
        ours = [state.written.get("confirmed") or {}, state.written.get("intended") or {}]
        changed: list[tuple[str, str | None, str]] = []
        for field in FIELDS:
            written = [str(w[field]).lower() for w in ours if w.get(field)]
            now = current.get(field)
            if not written or not now or field in state.overridden or now & set(written):
                continue
            author = _author(rec, field)
            if inst.integration_user and author == inst.integration_user:
                continue
            changed.append((field, written[0], sorted(now)[0]))
        if changed:
            self._record(name, inst, rec, state, changed)
        return [f for f, _, _ in changed]

    def _record(self, name: str, inst: TicketInstance, rec: TicketRecord, state: TicketState,
                changed: list[tuple[str, str | None, str]]) -> None:
        decision = self.signals.get_decision(state.signal_id)
        after = {field: value for field, _, value in changed}
        labels: dict[str, Any] = {}
        kind = reverse(inst, "issue_type", after.get("issue_type")) or state.kind or "incident"
        if "priority" in after:
            labels["priority"] = reverse(inst, "priority", after["priority"])
        if ("impact" in after or "urgency" in after) and decision is not None:
            impact = reverse(inst, "impact", after.get("impact")) or decision.impact
            urgency = reverse(inst, "urgency", after.get("urgency")) or decision.urgency
            if impact in ("high", "medium", "low") and urgency in ("high", "medium", "low"):
                labels["priority"] = priority_for(impact, urgency)  # type: ignore[arg-type]
        if "group" in after:
            teams = [t for t, g in inst.mapping.groups.items() if g.lower() == after["group"]]
            labels["team"] = teams[0] if teams else None
        author = _author(rec, changed[0][0]) or "unknown"
        labels["provenance"] = json.dumps({
            "origin": "ticket-override", "system": inst.system, "instance": name,
            "ticket": rec.ticket_id, "author": author,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in changed]},
            sort_keys=True)
        case_id = self._feedback(state.signal_id, kind, labels, f"{inst.system}:{author}")
        now = self.clock()
        for field, before, value in changed:
            self.store.add_override(name, rec.ticket_id, state.signal_id, field, before, value,
                                    author, case_id, now)
        state.overridden = sorted({*state.overridden, *after})
        self.store.save_state(state, now)
        log.info("ticket override recorded", extra={"instance": name, "ticket": rec.ticket_id,
                                                    "fields": sorted(after), "case": case_id})

    def _feedback(self, signal_id: str, kind: str, labels: dict[str, Any],
                  author: str) -> str | None:
        if self.cases is None:
            return None
        from knowledge.feedback import FeedbackError, record_feedback

        try:
            return record_feedback(self.cases, self.signals, signal_id,  # type: ignore[arg-type]
                                   kind=kind, overrides=labels, author=author)
        except FeedbackError as exc:
            log.warning("override not stored as a case", extra={"error": str(exc)})
            return None
