"""Stage 2: the noise gate (dedup, grouping, maintenance, silences, inhibition, flapping)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.state import TriageState


def noise_gate(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Run the signal through the noise gate and load its correlated history."""
    ctx = runtime.context
    outcome = ctx.noise.process(state.signal)
    ts = state.signal.timestamp
    related = [d for d in ctx.store.related_decisions(
        state.signal.service, outcome.group_id, ts - ctx.correlation_window, ts)
        if d.signal_id != state.signal.signal_id]
    return {"noise": outcome, "related": related}
