"""Stage 4: classify kind, event type and security with the configured reasoner."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.reasoning.types import Evidence
from agent.state import TriageState


def classify(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Judge the signal; duplicates and suppressed signals never cost an LLM call."""
    ctx = runtime.context
    assert state.noise is not None
    evidence = Evidence(signal=state.signal, config=ctx.config, noise=state.noise,
                        related=state.related, runbooks=state.runbooks,
                        postmortems=state.postmortems, cases=state.cases,
                        team_guess=state.team_guess)
    quiet = state.noise.duplicate_of is not None or state.noise.suppressed_by is not None
    reasoner = ctx.offline if quiet else ctx.reasoner
    # The related decisions are evidence for this judgement only (up to 50 whole decisions, ~90 %
    # of the state): later stages never read them, so they leave the checkpointed state here.
    return {"judgement": reasoner.judge(evidence), "related": []}
