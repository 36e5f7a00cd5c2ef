"""The facade over core: parse a payload, store it, run the graph per signal, return decisions.

Built by the composition root (`agent.wiring.build_pipeline` / `open_pipeline`).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from langgraph.graph.state import CompiledStateGraph

from agent.actions.approval import ApprovalOutcome, request_context
from agent.config.org import OrgConfig
from agent.context import TriageContext
from agent.graph import fault_point
from agent.graph_runs import GraphRuns, acts_pending
from agent.incidents.port import IncidentPort
from agent.intake import (  # re-exported: surfaces reach them through the facade
    Accepted,
    DeliveryKey,
    Prepared,
    parse_signals,
    webhook_schemas,
)
from agent.kernel.clock import utc_now
from agent.kernel.decision import Decision
from agent.kernel.errors import SignalParseError, StoreError
from agent.kernel.noise import NoiseAdmin
from agent.kernel.signal import Signal
from agent.noise.lanes import URGENT, LaneSorter, is_urgent
from agent.signals.parse import FORMATS, decode_payload, parse_payload
from agent.store.signals import SignalStore
from knowledge.types import Retriever
from tools.approvals import ApprovalError, ApprovalRecord
from tools.runtime import ToolRuntime

if TYPE_CHECKING:
    from knowledge.learnings import Learning, LearningStore

__all__ = ["Accepted", "DeliveryKey", "Pipeline", "Prepared", "acts_pending", "parse_signals",
           "webhook_schemas"]
log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass
class Pipeline:
    """A ready-to-use triage pipeline over one store, one graph and one set of dependencies."""

    graph: CompiledStateGraph
    context: TriageContext
    clock: Clock = utc_now
    id_prefix: str | None = None
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _resume_lock: threading.Lock = field(default_factory=threading.Lock)
    formats: tuple[str, ...] = FORMATS  # the input formats `accept` takes
    _lane_sorter: LaneSorter | None = None
    # signal ids: 80 random bits from a generator seeded once from the OS (uuid4 reads
    # /dev/urandom per id, ~0.1 ms each on a busy VM, as much as parsing the alert)
    _ids: random.Random = field(default_factory=lambda: random.Random(os.urandom(32)))

    def __post_init__(self) -> None:
        self._runs = GraphRuns(self.graph, self.context)

    @property
    def _lanes(self) -> LaneSorter:
        if self._lane_sorter is None:
            self._lane_sorter = LaneSorter(self.context.config.grouping.group_by)
        return self._lane_sorter

    @property
    def store(self) -> SignalStore:
        """The signal and decision store."""
        return self.context.store

    def new_id(self) -> str:
        """A fresh signal id: deterministic with an id prefix (evals), random otherwise."""
        if self.id_prefix is not None:
            return f"{self.id_prefix}-{next(self._counter)}"
        return f"sig-{self._ids.getrandbits(80):020x}"

    def prepare(self, payload: Any, fmt: str = "auto", *, delivery_key: DeliveryKey = None,
                require_signals: bool = False) -> Prepared:
        """Parse and validate a payload into new signals and its delivery key; store nothing.

        The first half of `accept`, for callers that store through their own writer (the
        service's group commit). Raises SignalParseError for bad input.
        """
        value = decode_payload(payload, fmt)
        signals = parse_payload(value, fmt, received_at=self.clock(), new_id=self.new_id,
                                decoded=True)
        if require_signals and not signals:
            raise SignalParseError("payload", "no signals in it")
        key = delivery_key(value) if callable(delivery_key) else delivery_key
        return Prepared(signals=signals, delivery_key=key, body=value)

    def accept(self, payload: Any, fmt: str = "auto", *, delivery_key: DeliveryKey = None,
               store: SignalStore | None = None, require_signals: bool = False) -> Accepted:
        """Parse, validate and durably store a payload, once per delivery key; no graph work.

        `payload`: bytes, text or a decoded JSON value. Raises SignalParseError for bad input
        and StoreError when storing failed (nothing is half-stored). `store`: the caller's own
        store on the same database (the service's per-thread connection).
        """
        prepared = self.prepare(payload, fmt, delivery_key=delivery_key,
                                require_signals=require_signals)
        signals = prepared.signals
        try:
            ids = (store or self.store).add_signals(signals, prepared.delivery_key,
                                                    body=prepared.body)
        except Exception as exc:
            log.error("storing signals failed", extra={"error": str(exc)})
            raise StoreError(f"storing failed: {type(exc).__name__}") from exc
        return prepared.accepted(ids)

    def lanes(self, signals: list[Signal]) -> list[int]:
        """Decision lanes of newly stored signals (0 urgent first … 4 repeats last)."""
        return self._lanes.lanes(signals)

    def urgent(self, signals: list[Signal]) -> bool:
        """True when any of the signals is a firing critical / page-worthy one of a group not
        seen before (what a storm's backlog must not hold up); nothing is remembered."""
        return any(is_urgent(s) for s in signals) and URGENT in self._lanes.lanes(
            signals, remember=False)

    def close(self) -> None:
        """Release what the knowledge base holds open (its worker thread, a temp folder)."""
        close = getattr(self.context.retriever, "close", None)
        if callable(close):
            close()

    def triage(self, payload: Any, fmt: str = "auto", *,
               delivery_key: DeliveryKey = None) -> list[Decision]:
        """Accept a payload and decide each of its signals (raises SignalParseError).

        A payload redelivered under the same `delivery_key` returns the first decisions again.
        """
        accepted = self.accept(payload, fmt, delivery_key=delivery_key)
        if accepted.redelivery:
            return [d for i in accepted.signal_ids if (d := self.decision(i)) is not None]
        return [self.decide(signal_id) for signal_id in accepted.signal_ids]

    def look_ahead(self, signal_ids: list[str]) -> int:
        """Warm what deciding these stored signals next will need: their retrieval queries are
        embedded in the background while the current one is decided. Returns how many."""
        kb = self.context.retriever
        if kb is None or not signal_ids:
            return 0
        from agent.nodes.retrieve import query_for

        signals = [s for i in signal_ids if (s := self.store.get_signal(i)) is not None]
        return kb.embed_ahead([query_for(s) for s in signals])

    def decide(self, signal_id: str) -> Decision:
        """Run the graph for one stored signal (its thread id is the signal id).

        A run that raised resumes from the checkpoint it left; one killed midway left none and
        runs again from the start, also when `record` had stored the decision but `act` had
        not run its actions (`acts_pending`).
        """
        self._runs.finish(signal_id)  # a run a failure left checkpointed, if any
        existing = self.store.get_decision(signal_id)
        if existing is not None and not acts_pending(existing):
            return existing
        signal = self.store.get_signal(signal_id)
        if signal is None:
            raise KeyError(f"unknown signal {signal_id}")
        final, paused = self._runs.start(signal)
        decision: Decision | None = final.get("decision")
        if paused or decision is None:  # paused in `act`: it stored the
            decision = self.store.get_decision(signal_id)  # decision awaiting approval
        assert decision is not None, "the record stage stores every decision"
        log.info("decided", extra={"signal_id": signal_id, "kind": decision.kind,
                                   "priority": decision.priority, "team": decision.team})
        fault_point("decided", signal)
        return decision

    # -- approvals -------------------------------------------------------------------------
    def resume_approval(self, approval_id: str, approver: str, accept: bool, *,
                        reason: str | None = None, resume: bool = True) -> ApprovalOutcome:
        """Record a human approve/reject and continue the run paused on it.

        The one way surfaces answer an approval: the approver is checked here (refusals go to
        the audit ledger), the decision is recorded through the paused run's `act` stage (or
        directly when no run waits for it), and this is the only `Command(resume=...)`.
        """
        tools = self.context.tools
        if tools is None:
            return ApprovalOutcome(False, "Remediation tools are disabled here.")
        record = tools.approvals.get(approval_id)
        if record is None:
            return ApprovalOutcome(False, f"No approval request {approval_id}.")
        if approver not in tools.approvers(record.team):
            tools.record_refusal(record.tool, json.loads(record.args),
                                 request_context(record, approver),
                                 f"{approver} is not an approver of team {record.team}")
            log.warning("approval refused", extra={"approval_id": approval_id,
                                                   "user": approver, "team": record.team})
            return ApprovalOutcome(False, f"Only approvers of team {record.team or 'none'} may "
                                          f"decide on {record.tool}.", record.tool,
                                   record.signal_id, record=record)
        with self._resume_lock:
            current = tools.approvals.get(approval_id) or record
            if current.status != "pending":
                who = f" by {current.approver}" if current.approver else ""
                return ApprovalOutcome(False, f"This request is already {current.status}{who}.",
                                       record.tool, record.signal_id, record=current)
            thread_id = record.thread_id or record.signal_id
            resumed = resume and self._runs.paused(thread_id)
            try:
                if resumed:
                    response = {"type": "accept" if accept else "reject", "approver": approver,
                                **({"reason": reason} if reason else {})}
                    self._runs.resume(thread_id, {approval_id: response})
                else:
                    tools.decide(approval_id, approver, accept, reason=reason)
            except ApprovalError as exc:
                return ApprovalOutcome(False, str(exc), record.tool, record.signal_id,
                                       record=tools.approvals.get(approval_id))
        after = tools.approvals.get(approval_id) or current
        ok = after.status in ("approved", "rejected")
        log.info("approval decided", extra={"approval_id": approval_id, "user": approver,
                                            "accept": accept, "resumed": resumed})
        message = after.status if ok else f"could not record the decision ({after.status})"
        return ApprovalOutcome(ok, message, record.tool, record.signal_id,
                               self.decision(record.signal_id), after, resumed)

    def pending_approvals(self, signal_id: str | None = None) -> list[ApprovalRecord]:
        """Pending approval requests (of one signal when given); none without tools."""
        tools = self.context.tools
        if tools is None:
            return []
        return [r for r in tools.approvals.list("pending")
                if signal_id is None or r.signal_id == signal_id]

    # -- narrow accessors for surfaces ------------------------------------------------------
    def decision(self, signal_id: str) -> Decision | None:
        """The stored decision of a signal, or None."""
        return self.store.get_decision(signal_id)

    def group_decisions(self, group_id: str) -> list[Decision]:
        """The decisions of one group, oldest first."""
        return self.store.decisions_in_group(group_id)

    @property
    def config(self) -> OrgConfig:
        """The organisation configuration this pipeline decides with (read-only use)."""
        return self.context.config

    @property
    def noise(self) -> NoiseAdmin:
        """Noise administration: runtime maintenance windows, silences and groups."""
        return self.context.noise

    @property
    def knowledge(self) -> Retriever | None:
        """The knowledge base the graph retrieves from (None when none is open)."""
        return self.context.retriever

    def warm(self) -> None:
        """Load what the first decision would otherwise load (the knowledge base's vector
        store and embedding model); never raises, a failure is logged and left to that decision."""
        from knowledge.base import KnowledgeBase

        kb = self.context.retriever
        if isinstance(kb, KnowledgeBase):
            try:
                kb.warm()
            except Exception:
                log.exception("warming the knowledge base failed")

    def learnings(self) -> LearningStore | None:
        """The learning review store over the knowledge base (None when no KB is open)."""
        from knowledge.base import KnowledgeBase
        from knowledge.learnings import LearningStore

        kb = self.context.retriever
        return LearningStore(kb) if isinstance(kb, KnowledgeBase) else None

    def submit_learning(self, signal_id: str, *, fix: str, runbook: str | None = None,
                        author: str = "unknown", links: list[str] | None = None) -> Learning:
        """Quarantine a learning (what fixed it) for a stored signal; review promotes it."""
        from knowledge.base import KnowledgeBase
        from knowledge.feedback import submit_learning

        kb = self.context.retriever
        if not isinstance(kb, KnowledgeBase):
            raise RuntimeError("no knowledge base attached")
        return submit_learning(kb, self.store, signal_id, fix=fix, runbook=runbook,
                               author=author, links=links)

    @property
    def incidents(self) -> IncidentPort | None:
        """Incident response (lifecycle, escalation), when the pipeline has one."""
        return self.context.incidents

    @property
    def tools(self) -> ToolRuntime | None:
        """The tool runtime (registry, approvals, ledger), or None when remediation is off."""
        return self.context.tools

    def unsafe_executions(self) -> int | None:
        """Executions the tools' audit ledger says policy should have stopped (None: no tools)."""
        tools = self.context.tools
        return None if tools is None else int(tools.unsafe_executions())

    def tool_allowlist(self) -> frozenset[str]:
        """Names of the registered tools (the built-in registry when tools are off)."""
        tools = self.context.tools
        if tools is not None:
            return frozenset(tools.registry.names())
        from tools.builtin import default_registry

        return frozenset(default_registry().names())
