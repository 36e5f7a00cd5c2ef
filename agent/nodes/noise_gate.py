"""Stage 2: the noise gate (dedup, grouping, maintenance, silences, inhibition, flapping)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.correlation import correlated
from agent.state import TriageState


def noise_gate(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Run the signal through the noise gate and load its correlated context."""
    ctx = runtime.context
    outcome = ctx.noise.process(state.signal)
    related = correlated(ctx.store, ctx.config, state.signal, outcome.group_id,
                         ctx.correlation_window)
    return {"noise": outcome, "related": related}
