"""The facade over core: parse a payload, store it, run the graph per signal, return decisions.

Built by the composition root (`agent.wiring.build_pipeline` / `open_pipeline`).
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from agent.context import TriageContext
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.signals.parse import parse_payload
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def parse_signals(payload: Any, fmt: str = "auto", *,
                  received_at: datetime | None = None) -> list[Signal]:
    """Parse and validate a payload into signals without storing anything (SignalParseError)."""
    counter = itertools.count(1)
    return parse_payload(payload, fmt, received_at=received_at or utc_now(),
                         new_id=lambda: f"preview-{next(counter)}")


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

    # -- narrow accessors for surfaces ------------------------------------------------------
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
