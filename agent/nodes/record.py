"""Stage 7: a decision's effects, once: store it, escalate its group, tell incident response."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.state import TriageState


def record(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Durably store the decision before anyone is told, and escalate its group."""
    ctx, decision = runtime.context, state.decision
    assert decision is not None
    ctx.store.save_decision(decision)
    ctx.noise.after_decision(state.signal, decision.kind, decision.priority)
    if ctx.incidents is not None:
        ctx.incidents.observe(state.signal, decision, state.runbooks)
    return {}
