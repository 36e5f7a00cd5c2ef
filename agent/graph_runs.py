"""Runs of the triage graph: one LangGraph thread per signal, checkpointed only where it stops.

The facade (`agent.pipeline`) starts a signal's run, finishes one a failure left checkpointed
and resumes one paused on an approval through this module; it is the only caller of
`graph.invoke`, so every run gets the same durability and the same pruning afterwards.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from agent.context import TriageContext
from agent.graph import settle_thread
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal

log = logging.getLogger(__name__)


def acts_pending(decision: Decision) -> bool:
    """True when a stored decision planned actions its run never got to (`record` ran, `act`
    did not): such a run is started again, and the tool ledger keeps its actions to one run."""
    return any(a.status == "proposed" for a in decision.actions)


def _thread(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


class GraphRuns:
    """Start, finish and resume runs of one compiled graph under one context."""

    def __init__(self, graph: CompiledStateGraph, context: TriageContext) -> None:
        self.graph = graph
        self.context = context

    @property
    def durability(self) -> Literal["exit"] | None:
        """A checkpoint only where a run stops: paused on an approval (or ended, then pruned).

        Every stage is safe to run again for the same signal (the noise gate returns its stored
        outcome, `record` overwrites, the tool ledger's idempotency keys stop a second
        execution), so a run a crash cut short starts over instead of resuming mid-way; a
        stored decision whose actions are still `proposed` is such a run (`acts_pending`).
        Per-stage checkpoints cost ~6 ms of a ~15 ms decision. None without a checkpointer."""
        return "exit" if self.graph.checkpointer is not None else None

    def start(self, signal: Signal) -> tuple[dict[str, Any], bool]:
        """Run the graph for a signal on its own thread: (final state, paused on an approval)."""
        final = self.graph.invoke({"signal": signal}, _thread(signal.signal_id),
                                  context=self.context, durability=self.durability)
        paused = "__interrupt__" in final
        settle_thread(self.graph.checkpointer, signal.signal_id, paused=paused)
        return final, paused

    def finish(self, signal_id: str) -> bool:
        """Resume a run that stopped with a checkpoint left (it raised, or ended before it was
        pruned; not one paused for an approval); False when there is none."""
        if self.graph.checkpointer is None:
            return False
        snapshot = self.graph.get_state(_thread(signal_id))
        if not snapshot.next or any(task.interrupts for task in snapshot.tasks):
            return False
        log.warning("resuming an interrupted run", extra={"signal_id": signal_id,
                                                          "next": list(snapshot.next)})
        self.graph.invoke(None, _thread(signal_id), context=self.context,
                          durability=self.durability)
        self._settle(signal_id)
        return True

    def paused(self, thread_id: str) -> bool:
        """True when the thread's run is checkpointed and waiting at an interrupt."""
        if self.graph.checkpointer is None:
            return False
        return bool(self.graph.get_state(_thread(thread_id)).interrupts)

    def resume(self, thread_id: str, answers: dict[str, dict[str, Any]]) -> None:
        """Continue a paused run with the approvers' answers (the one `Command(resume=...)`)."""
        self.graph.invoke(Command(resume=answers), _thread(thread_id), context=self.context,
                          durability=self.durability)
        self._settle(thread_id)

    def _settle(self, thread_id: str) -> None:
        """Prune the thread's checkpoints: all of them once it ended, history while paused."""
        snapshot = self.graph.get_state(_thread(thread_id))
        if not snapshot.next or snapshot.interrupts:
            settle_thread(self.graph.checkpointer, thread_id, paused=bool(snapshot.next))
