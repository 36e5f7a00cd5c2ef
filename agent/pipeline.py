"""The triage pipeline: parse a payload, store it, run the graph per signal, return decisions."""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.context import TriageContext
from agent.graph import graph_with, memory_checkpointer, sqlite_checkpointer
from agent.incidents.clock import StreamClock
from agent.incidents.runtime import IncidentResponse, label_sink, review_sink
from agent.kernel.db import open_db
from agent.kernel.decision import Decision
from agent.noise.gate import NoiseGate
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Reasoner
from agent.signals.parse import parse_payload
from agent.store.signals import SignalStore
from knowledge.types import Retriever

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, used only for `received_at` (decisions take time from the signal)."""
    return datetime.now(UTC)


@dataclass
class Pipeline:
    """A ready-to-use triage pipeline over one store, one graph and one set of dependencies."""

    graph: CompiledStateGraph
    context: TriageContext
    clock: Clock = utc_now
    id_prefix: str | None = None
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def store(self) -> SignalStore:
        """The signal and decision store."""
        return self.context.store

    def new_id(self) -> str:
        """A fresh signal id: deterministic with an id prefix (evals), random otherwise."""
        if self.id_prefix is not None:
            return f"{self.id_prefix}-{next(self._counter)}"
        return f"sig-{uuid.uuid4().hex[:20]}"

    def triage(self, payload: Any, fmt: str = "auto", *,
               delivery_key: str | None = None) -> list[Decision]:
        """Parse, durably store and decide every signal in the payload (raises SignalParseError).

        A payload redelivered under the same `delivery_key` returns the first decisions again.
        """
        signals = parse_payload(payload, fmt, received_at=self.clock(), new_id=self.new_id)
        ids = self.store.add_signals(signals, delivery_key)
        if signals and ids != [s.signal_id for s in signals]:
            return [d for i in ids if (d := self.store.get_decision(i)) is not None]
        return [self.decide(signal_id) for signal_id in ids]

    def decide(self, signal_id: str) -> Decision:
        """Run the graph for one stored signal (its thread id is the signal id)."""
        existing = self.store.get_decision(signal_id)
        if existing is not None:
            return self._finish(signal_id) or existing
        signal = self.store.get_signal(signal_id)
        if signal is None:
            raise KeyError(f"unknown signal {signal_id}")
        self.graph.invoke({"signal": signal}, {"configurable": {"thread_id": signal_id}},
                          context=self.context)
        decision = self.store.get_decision(signal_id)
        assert decision is not None, "the record stage stores every decision"
        log.info("decided", extra={"signal_id": signal_id, "kind": decision.kind,
                                   "priority": decision.priority, "team": decision.team})
        return decision


    def _finish(self, signal_id: str) -> Decision | None:
        """Resume a run that crashed after recording (not one paused for an approval)."""
        if self.graph.checkpointer is None:
            return None
        config = {"configurable": {"thread_id": signal_id}}
        snapshot = self.graph.get_state(config)
        if not snapshot.next or any(task.interrupts for task in snapshot.tasks):
            return None
        log.warning("resuming an interrupted run", extra={"signal_id": signal_id,
                                                          "next": list(snapshot.next)})
        self.graph.invoke(None, config, context=self.context)
        return self.store.get_decision(signal_id)


def make_reasoner(name: str | Reasoner, offline: Reasoner, config: OrgConfig,
                  settings: Settings | None, tools: Any | None = None) -> Reasoner:
    """The reasoner for a name: offline, or the LLM reasoner (llm / auto) over OpenAI's API.

    With a tool runtime, the LLM investigates with its read-only tools (egress policy and all).
    """
    if not isinstance(name, str):
        return name
    if name == "offline":
        return offline
    if name not in {"llm", "auto"}:
        raise ValueError(f"reasoner: must be offline, llm or auto, got {name!r}")
    from agent.reasoning.llm import build_llm_reasoner

    investigation = None
    if tools is not None:
        from tools.investigation import InvestigationTools

        investigation = InvestigationTools(tools)
    return build_llm_reasoner(settings or Settings(), config.llm, offline, name,
                              tools=investigation)


def build_pipeline(*, config: OrgConfig, settings: Settings | None = None,
                   db_path: str | Path = ":memory:",
                   checkpointer: Literal["none", "memory", "sqlite"] = "memory",
                   retriever: Retriever | None = None, reasoner: str | Reasoner = "offline",
                   clock: Clock | None = None, id_prefix: str | None = None,
                   tools: Any | None = None,
                   incident_clock: StreamClock | None = None) -> Pipeline:
    """Assemble stores, reasoner and graph; every dependency is injected, nothing is global.

    `checkpointer`: "sqlite" (beside db_path; pending approvals survive restarts), "memory",
    or "none" (evals: no interrupts are expected, one compiled graph serves every case).
    """
    conn = open_db(db_path)
    offline = OfflineReasoner()
    store = SignalStore(conn)
    incidents = IncidentResponse.open(
        conn, config, clock=incident_clock or StreamClock(base=clock or utc_now),
        decisions=store, labels=label_sink(retriever, store), submit=review_sink(retriever))
    context = TriageContext(
        config=config, store=store, noise=NoiseGate(conn, config),
        reasoner=make_reasoner(reasoner, offline, config, settings, tools), offline=offline,
        retriever=retriever, tools=tools, incidents=incidents)
    saver: BaseCheckpointSaver | None = None
    if checkpointer == "sqlite" and str(db_path) != ":memory:":
        saver = sqlite_checkpointer(Path(db_path).with_name("checkpoints.db"))
    elif checkpointer != "none":
        saver = memory_checkpointer()
    return Pipeline(graph=graph_with(saver), context=context,
                    clock=clock or utc_now, id_prefix=id_prefix)
