"""Write-back: each ticket decision becomes outbox steps, sent to the ticket system's REST API.

`on_decision` (a decision-worker listener) plans the write for one decision version and
enqueues its steps — `fields` (priority / impact / urgency / type / group / labels),
`comment` (one per decision version, found again by its marker, so a retry or restart never
comments twice) and `link` (a user report → the first ticket of the incident record it is
linked to, agent/incidents; without incident records, of its noise group) — under
idempotency keys. `drain` sends due steps; each step succeeds or fails on its own (a comment
accepted while a field update is rejected is recorded, and the failed step is retried with
backoff, then parked after `max_attempts`). Duplicates of a ticket already written and
resolved tickets write nothing. `reconcile` enqueues decided ticket signals that never reached
the outbox (a crash between the decision and the listener).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from agent.config.tickets import TicketInstance, TicketsSection
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.signals.fingerprint import canonical_hash
from agent.tickets.http import TicketApiError
from agent.tickets.incident_link import IncidentLookup
from agent.tickets.mapping import plan
from agent.tickets.outbox import OutboxRow, TicketState, TicketStore
from agent.tickets.types import TicketClient, TicketFields, TicketTarget

log = logging.getLogger(__name__)


class SignalSource(Protocol):
    """Read access to stored signals and decisions (the SignalStore)."""

    def get_signal(self, signal_id: str) -> Signal | None:
        """The stored signal."""

    def get_decision(self, signal_id: str) -> Decision | None:
        """The stored decision."""


def target_of(signal: Signal) -> TicketTarget:
    """The ticket a ticket signal is about."""
    labels = signal.labels
    return TicketTarget(labels["ticket_id"], labels.get("ticket_ref"), labels.get("ticket_table"))


class WriteBack:
    """Plans, stores and sends ticket write-backs."""

    def __init__(self, store: TicketStore, section: TicketsSection,
                 clients: Mapping[str, TicketClient], signals: SignalSource, *,
                 incidents: IncidentLookup | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.section, self.clients = store, section, clients
        self.signals, self.incidents, self.clock = signals, incidents, clock

    def instance_for(self, signal: Signal) -> tuple[str, TicketInstance] | None:
        """The configured instance a ticket signal came from."""
        system = signal.labels.get("ticket_system")
        if not system or "ticket_id" not in signal.labels:
            return None
        name = self.store.signal_instance(signal.signal_id)
        return self.section.of_system(system, name) or self.section.of_system(system)

    def on_decision(self, decision: Decision) -> int:
        """Enqueue the write-back steps of one decision; return how many were new."""
        signal = self.signals.get_signal(decision.signal_id)
        found = self.instance_for(signal) if signal is not None else None
        if signal is None or found is None:
            return 0
        name, inst = found
        if not inst.write_back or decision.noise.duplicate_of or signal.status == "resolved":
            self.store.mark_handled(decision.signal_id)
            return 0
        target = target_of(signal)
        prior = self.store.state(name, target.key)
        parent, incident_id = self._parent(name, decision, target)
        overridden = prior.overridden if prior else []
        p = plan(decision, inst, parent, overridden, incident_id)
        if prior is not None and prior.version == p.version:
            self.store.mark_handled(decision.signal_id)
            return 0
        steps: list[tuple[str, dict[str, object]]] = [("fields", p.fields.as_dict())]
        if inst.comment:
            steps.append(("comment", {"text": p.comment, "marker": p.marker}))
        if parent is not None:
            steps.append(("link", {"parent": {"key": parent.key, "ref": parent.ref,
                                              "table": parent.table},
                                   "link_type": inst.mapping.link_type}))
        rows = [{"idem_key": canonical_hash("outbox", name, target.key, p.version, step),
                 "instance": name, "ticket_id": target.key, "ticket_ref": target.ref,
                 "ticket_table": target.table, "signal_id": decision.signal_id,
                 "version": p.version, "step": step, "payload": payload}
                for step, payload in steps]
        now = self.clock()
        added = self.store.enqueue(rows, now)
        written = dict(prior.written) if prior else {}
        written["intended"] = p.fields.as_dict()
        self.store.save_state(TicketState(
            instance=name, ticket_id=target.key, ticket_ref=target.ref,
            ticket_table=target.table, signal_id=decision.signal_id,
            group_id=decision.noise.group_id or None, kind=decision.kind, version=p.version,
            written=written, overridden=overridden), now)
        self.store.mark_handled(decision.signal_id)
        log.info("write-back enqueued", extra={"instance": name, "ticket": target.key,
                                               "version": p.version, "steps": added})
        return added

    def _parent(self, name: str, decision: Decision, target: TicketTarget
                ) -> tuple[TicketTarget | None, str | None]:
        """The incident ticket this one belongs to, and the incident record's id."""
        found = None
        if self.incidents is not None:
            try:
                found = self.incidents.incident_of(decision.signal_id,
                                                   decision.noise.group_id or None)
            except Exception:  # incident records are optional to the write-back
                log.exception("incident lookup failed", extra={"signal_id": decision.signal_id})
        parent: TicketState | None = None
        incident_id = found[0] if found else None
        if found is not None:
            parent = self.store.first_ticket_of(name, found[1], exclude=target.key)
        elif decision.noise.group_id:
            parent = self.store.group_incident(name, decision.noise.group_id, exclude=target.key)
        if parent is None:
            return None, incident_id
        return TicketTarget(parent.ticket_id, parent.ticket_ref, parent.ticket_table), incident_id

    def reconcile(self) -> int:
        """Enqueue decided ticket signals the listener never saw; return how many."""
        count = 0
        for signal_id in self.store.unhandled_ticket_decisions():
            decision = self.signals.get_decision(signal_id)
            if decision is not None:
                self.on_decision(decision)
                count += 1
        return count

    # ---- sending -----------------------------------------------------------------------------
    def drain(self, limit: int = 50) -> dict[str, int]:
        """Send every due step once; return counts of sent / failed / parked."""
        report = {"sent": 0, "failed": 0, "parked": 0}
        for row in self.store.due(self.clock(), limit):
            outcome = self._attempt(row)
            report[outcome] += 1
        return report

    def _attempt(self, row: OutboxRow) -> str:
        inst = self.section.instances.get(row.instance)
        client = self.clients.get(row.instance)
        if inst is None or client is None:
            return self._failed(row, inst, "no client for this instance (removed from config?)",
                                None)
        try:
            self._send(row, client)
        except TicketApiError as exc:
            return self._failed(row, inst, str(exc), exc.retry_after_s)
        except Exception as exc:  # a client bug must not stop the outbox
            log.exception("write-back step crashed", extra={"row": row.id})
            return self._failed(row, inst, f"{type(exc).__name__}: {exc}", None)
        now = self.clock()
        self.store.finish(row.id, now)
        if row.step == "fields":
            self._confirm(row, now)
        log.info("write-back step sent", extra={"instance": row.instance, "ticket": row.ticket_id,
                                                "step": row.step})
        return "sent"

    def _send(self, row: OutboxRow, client: TicketClient) -> None:
        target = TicketTarget(row.ticket_id, row.ticket_ref, row.ticket_table)
        if row.step == "fields":
            client.update_fields(target, TicketFields.from_dict(row.payload))
        elif row.step == "comment":
            if not client.has_comment(target, str(row.payload["marker"])):
                client.add_comment(target, str(row.payload["text"]))
        elif row.step == "link":
            parent = row.payload["parent"]
            client.link(target, TicketTarget(parent["key"], parent.get("ref"),
                                             parent.get("table")), str(row.payload["link_type"]))
        else:
            raise ValueError(f"unknown step {row.step!r}")

    def _confirm(self, row: OutboxRow, now: float) -> None:
        state = self.store.state(row.instance, row.ticket_id)
        if state is not None:
            state.written["confirmed"] = row.payload
            self.store.save_state(state, now)

    def _failed(self, row: OutboxRow, inst: TicketInstance | None, error: str,
                retry_after_s: float | None) -> str:
        attempts = row.attempts + 1
        max_attempts = inst.max_attempts if inst else 1
        base = inst.backoff_base_s if inst else 1.0
        delay = max(retry_after_s or 0.0, min(3600.0, max(base, 0.5) * 2 ** attempts))
        park = attempts >= max_attempts
        now = self.clock()
        self.store.fail(row.id, error, now + delay, park, now)
        log.warning("write-back step failed", extra={"instance": row.instance,
                                                     "ticket": row.ticket_id, "step": row.step,
                                                     "attempts": attempts, "parked": park,
                                                     "error": error[:200]})
        return "parked" if park else "failed"


class OutboxRunner:
    """A background thread that drains the outbox every `interval_s` (or when woken)."""

    def __init__(self, writeback: WriteBack, interval_s: float = 1.0) -> None:
        self.writeback, self.interval_s = writeback, interval_s
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Reconcile missed decisions, then drain in the background."""
        try:
            self.writeback.reconcile()
        except Exception:
            log.exception("write-back reconcile failed")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="triage-ticket-outbox",
                                        daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Drain now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the step in hand; pending steps stay stored."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.writeback.drain()
            except Exception:
                log.exception("outbox drain failed")
                report = {"sent": 0}
            if report.get("sent", 0) >= 50:
                continue
            self._wake.wait(self.interval_s)
            self._wake.clear()
