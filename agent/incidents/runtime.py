"""Incident response assembled: lifecycle, escalation, verification, reminders, postmortems.

`IncidentResponse` is what the composition root builds and the graph's effects stage calls
(`IncidentPort.observe`); `tick()` is what a scheduler (the service loop, a replay) calls.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.escalation import EscalationEngine
from agent.incidents.events_out import CloudEventsNotifier, EventExporter
from agent.incidents.model import Incident, Outcome
from agent.incidents.outbox import Notifier
from agent.incidents.postmortem import Draft, Writer
from agent.incidents.postmortem_desk import PostmortemDesk, Submit
from agent.incidents.service import IncidentService, LabelSink
from agent.incidents.store import IncidentStore
from agent.incidents.verify import Prober, Verifier, event_time
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.store.signals import SignalStore
from knowledge.types import DocHit
from tools.egress import EgressPolicy

log = logging.getLogger(__name__)
DecisionStore = SignalStore


@dataclass
class IncidentResponse:
    """The incident subsystem over one database."""

    service: IncidentService
    escalation: EscalationEngine
    verifier: Verifier
    clock: StreamClock
    hooks: list[Callable[[datetime], None]] = field(default_factory=list)  # after every tick
    decisions: SignalStore | None = None
    postmortems: PostmortemDesk | None = None
    events: EventExporter | None = None  # CloudEvents out, when `incidents.events` is set

    @classmethod
    def open(cls, conn: sqlite3.Connection, config: OrgConfig, *,
             clock: StreamClock | None = None, notifiers: list[Notifier] | None = None,
             labels: LabelSink | None = None, prober: Prober | None = None,
             decisions: DecisionStore | None = None, submit: Submit | None = None,
             writer: Writer | None = None,
             env: Mapping[str, str] | None = None) -> IncidentResponse:
        """Build the subsystem on `conn`'s database; the clock defaults to the signal stream.

        `env` holds the events signing secret (default: the process environment).
        """
        clock = clock or StreamClock()
        service = IncidentService(IncidentStore(conn), config, clock.now, labels=labels,
                                  group_members=decisions.decisions_in_group if decisions
                                  else None)
        section = config.incidents
        engine = EscalationEngine(service, section, list(notifiers or []))
        thresholds = {name: t.critical for name, t in config.thresholds.items()
                      if t.critical is not None}

        def failed(incident: Incident, key: str, outcome: Outcome, why: str) -> None:
            if outcome == "not_verified":
                engine.escalate_now(incident.id, f"remediation not verified: {why}",
                                    clock.now())

        verifier = Verifier(service, window=section.verify_window, thresholds=thresholds,
                            prober=prober, on_outcome=failed,
                            update_decision=_decision_updater(decisions))
        desk = PostmortemDesk(service, decisions, submit, writer)
        events = None
        if section.events is not None:
            events = EventExporter(service.store, engine.outbox, section.events)
            engine.notifiers.append(CloudEventsNotifier(
                section.events, EgressPolicy.from_targets(config.targets),
                os.environ if env is None else env))
        return cls(service, engine, verifier, clock, decisions=decisions, postmortems=desk,
                   events=events)

    def observe(self, signal: Signal, decision: Decision, runbooks: list[DocHit]) -> None:
        """Open/update the incident, start or settle checks, then escalate what is due."""
        try:
            self.clock.observe(event_time(signal, decision))
            runbook = runbooks[0] if runbooks else None
            incident = self.service.observe(decision, runbook.id if runbook else None)
            self.verifier.observe(signal, decision)
            if incident is not None:
                verify = (runbook.metadata.get("verify") if runbook is not None else None)
                self.verifier.start(incident, decision, verify)
            self.tick()
        except Exception:  # incident response never breaks triage; the decision is stored
            log.exception("incident observe failed", extra={"signal_id": decision.signal_id})

    def tick(self, now: datetime | None = None) -> None:
        """Escalate, settle expired checks and send due notifications as of `now`."""
        if now is not None:
            self.clock.observe(now)  # time has reached `now` in this stream
        when = now or self.clock.now()
        self.verifier.tick(when)
        if self.events is not None:
            self.events.pump(when)  # timeline entries past the cursor become outbox rows
        self.escalation.tick(when)  # delivers every due row: pages and events
        for hook in list(self.hooks):
            try:
                hook(when)
            except Exception:
                log.exception("incident tick hook failed")


def _decision_updater(decisions: DecisionStore | None
                      ) -> Callable[[str, int, Outcome], None] | None:
    if decisions is None:
        return None

    def update(signal_id: str, index: int, outcome: Outcome) -> None:
        decision = decisions.get_decision(signal_id)
        if decision is None or index >= len(decision.actions):
            return
        actions = list(decision.actions)
        actions[index] = actions[index].model_copy(update={"verification": outcome})
        decisions.save_decision(decision.model_copy(update={"actions": actions}))

    return update


def label_sink(retriever: object | None, store: SignalStore) -> LabelSink | None:
    """Priority changes as labeled past cases in the knowledge base (when it takes cases)."""
    if retriever is None or not hasattr(retriever, "add_case_record"):
        return None

    def record(signal_id: str, overrides: dict[str, Any], author: str) -> str | None:
        from knowledge.feedback import record_feedback

        decision = store.get_decision(signal_id)
        kind = decision.kind if decision is not None else "incident"
        return record_feedback(retriever, store, signal_id, kind=kind,  # type: ignore[arg-type]
                               overrides=overrides, author=author)

    return record


def review_sink(retriever: object | None) -> Submit | None:
    """Postmortem drafts into the knowledge-base review quarantine (when a KB is attached)."""
    if retriever is None or not hasattr(retriever, "lexical"):
        return None

    def submit(d: Draft) -> str:
        from knowledge.learnings import Learning, LearningStore

        learning = Learning(symptom=d.title, decision=f"postmortem draft for {d.incident_id}",
                            fix=d.markdown, runbook=d.runbook,
                            links=[f"incident:{d.incident_id}"], signal_ids=d.signal_ids,
                            author=f"triage ({d.writer})", kind="postmortem")
        return LearningStore(retriever).submit(learning).id  # type: ignore[arg-type]

    return submit


def tool_prober(tools: object | None) -> Prober | None:
    """Health checks re-run through the tool runtime (same policy, egress and ledger)."""
    if tools is None or not hasattr(tools, "call"):
        return None
    import uuid

    def probe(tool: str, args: dict[str, Any]) -> bool:
        from tools.context import ActionContext

        # a fresh scope per probe: the ledger's idempotency key must not replay an old result
        ctx = ActionContext(scope=f"verify-{uuid.uuid4().hex[:16]}", actor="triage-verify")
        result = tools.call(tool, args, ctx)  # type: ignore[attr-defined]
        return result.status == "success" and bool((result.data or {}).get("healthy"))

    return probe
