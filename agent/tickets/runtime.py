"""Ticket integration assembled over one pipeline: store, clients, write-back, inbound, poll.

`TicketsRuntime` is what `triage serve` and `triage tickets …` hold: the outbox store on the
pipeline's database, a REST client per configured instance (credentials read from the
injected environment when first needed; a missing variable disables that client with an
error in the log, and its steps wait in the outbox), the write-back, the inbound override
hook and the poller. `deliver` is the ingest path polled tickets go through.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from agent.config.tickets import TicketsSection
from agent.kernel.decision import Decision
from agent.kernel.durations import parse_duration
from agent.tickets.factory import CredentialError, build_client
from agent.tickets.incident_link import IncidentLookup
from agent.tickets.outbox import TicketStore
from agent.tickets.overrides import CaseSink, TicketInbound
from agent.tickets.poll import Deliver, PollReport, poll_instance
from agent.tickets.types import TicketClient
from agent.tickets.writeback import OutboxRunner, SignalSource, WriteBack

log = logging.getLogger(__name__)


class LazyClients(Mapping[str, TicketClient]):
    """Instance name → client, built on first use from the environment of that moment."""

    def __init__(self, section: TicketsSection, env: Callable[[], Mapping[str, str]],
                 **kwargs: Any) -> None:
        self.section, self.env, self.kwargs = section, env, kwargs
        self._built: dict[str, TicketClient | None] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> TicketClient:
        with self._lock:
            if name not in self._built:
                inst = self.section.instances[name]
                try:
                    self._built[name] = build_client(name, inst, self.env(), **self.kwargs)
                except CredentialError as exc:
                    log.error("ticket client disabled", extra={"instance": name,
                                                               "error": str(exc)})
                    self._built[name] = None
            client = self._built[name]
        if client is None:
            raise KeyError(name)
        return client

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.section.instances)

    def __len__(self) -> int:
        return len(self.section.instances)

    def close(self) -> None:
        """Close every built client."""
        for client in self._built.values():
            if client is not None:
                client.close()


class TicketsRuntime:
    """The ticket integration of one process."""

    def __init__(self, section: TicketsSection, store: TicketStore, signals: SignalSource,
                 env: Callable[[], Mapping[str, str]], cases: CaseSink | None = None, *,
                 incidents: IncidentLookup | None = None,
                 clock: Callable[[], float] = time.time, **client_kwargs: Any) -> None:
        self.section, self.store = section, store
        self.clients = LazyClients(section, env, **client_kwargs)
        self.writeback = WriteBack(store, section, self.clients, signals, incidents=incidents,
                                   clock=clock)
        self.inbound = TicketInbound(store, section, signals, cases, clock=clock)
        self.runner = OutboxRunner(self.writeback)
        self._poll_stop = threading.Event()
        self._poll_thread: threading.Thread | None = None

    # the routes' InboundHook
    def before_ingest(self, system: str, instance: str | None, body: bytes) -> str | None:
        """Record overrides; a reason to skip ingest for an echo of our own write."""
        return self.inbound.before_ingest(system, instance, body)

    def after_ingest(self, system: str, instance: str | None, signal_ids: list[str]) -> None:
        """Remember the instance of stored signals."""
        self.inbound.after_ingest(system, instance, signal_ids)

    def on_decision(self, decision: Decision) -> None:
        """Worker listener: enqueue the write-back and wake the outbox thread."""
        if self.writeback.on_decision(decision):
            self.runner.wake()

    def poll_all(self, deliver: Deliver, only: str | None = None) -> dict[str, PollReport]:
        """Poll every instance with poll mode on (or the one named) once."""
        reports = {}
        for name, inst in self.section.instances.items():
            if (only is None and not inst.poll.enabled) or (only is not None and name != only):
                continue
            def remembering(system: str, inst_name: str, payload: dict[str, Any],
                            key: str) -> list[str]:
                ids = deliver(system, inst_name, payload, key)
                self.store.remember_signals(inst_name, ids)
                return ids
            reports[name] = poll_instance(name, inst, self.clients[name], self.store,
                                          remembering, self.inbound)
        return reports

    def start(self, deliver: Deliver | None = None) -> None:
        """Start the outbox thread (and the poll thread when an instance polls)."""
        self.runner.start()
        polling = [i for i in self.section.instances.values() if i.poll.enabled]
        if deliver is not None and polling:
            interval = min(parse_duration(i.poll.interval).total_seconds() for i in polling)
            self._poll_stop.clear()
            self._poll_thread = threading.Thread(target=self._poll_loop, args=(deliver,
                                                 max(interval, 1.0)), daemon=True,
                                                 name="triage-ticket-poll")
            self._poll_thread.start()

    def _poll_loop(self, deliver: Deliver, interval: float) -> None:
        while not self._poll_stop.is_set():
            try:
                self.poll_all(deliver)
            except Exception:
                log.exception("ticket poll failed")
            self._poll_stop.wait(interval)

    def stop(self) -> None:
        """Stop the threads and close the clients; pending steps stay in the outbox."""
        self._poll_stop.set()
        if self._poll_thread is not None:
            self._poll_thread.join(10)
        self.runner.stop()
        self.clients.close()

    def drain_all(self, rounds: int = 20, pause_s: float = 0.0) -> dict[str, int]:
        """Drain until nothing due is left (or `rounds`); totals of sent/failed/parked."""
        total = {"sent": 0, "failed": 0, "parked": 0}
        for _ in range(rounds):
            report = self.writeback.drain()
            for key, value in report.items():
                total[key] += value
            if not any(report.values()):
                break
            if pause_s:
                time.sleep(pause_s)
        return total
