"""Stage 5: one pure node builds the complete decision (priority, severity, team, rationale)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.kernel.decision import Decision, DocRef, Noise
from agent.kernel.links import runbook_url
from agent.kernel.taxonomy import priority_for, severity_for
from agent.routing import route_team
from agent.state import TriageState


def decide(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """The complete decision: priority and severity from the ITIL matrix, then the team."""
    decision = _prioritized(state)
    team, rationale = _routed(state, decision, runtime.context)
    return {"decision": decision.model_copy(update={"team": team, "rationale": rationale})}


def _prioritized(state: TriageState) -> Decision:
    """The judgement as a decision with priority and severity (no team yet)."""
    signal, judgement, noise = state.signal, state.judgement, state.noise
    assert judgement is not None and noise is not None
    priority = priority_for(judgement.impact, judgement.urgency)
    docs = [d.id for d in state.runbooks[:1]] + [d.id for d in state.postmortems[:1]]
    citations = list(dict.fromkeys(judgement.citations + docs))
    decision = Decision(
        signal_id=signal.signal_id, source=signal.source, fingerprint=signal.fingerprint,
        received_at=signal.received_at, timestamp=signal.timestamp, title=signal.title,
        status=signal.status, kind=judgement.kind, event_type=judgement.event_type,
        security=judgement.security, impact=judgement.impact, urgency=judgement.urgency,
        priority=priority, severity=severity_for(priority), service=signal.service,
        noise=Noise(duplicate_of=noise.duplicate_of, suppressed_by=noise.suppressed_by,
                    group_id=noise.group_id, flapping=noise.flapping, notify=noise.notify),
        runbooks=[DocRef(id=d.id, title=d.title, score=round(d.score, 4)) for d in state.runbooks],
        postmortems=[DocRef(id=d.id, title=d.title, score=round(d.score, 4))
                     for d in state.postmortems],
        confidence=round(judgement.confidence, 3), rationale=judgement.rationale,
        citations=citations, reasoner=judgement.reasoner, llm_tokens=judgement.llm_tokens,
        llm_downgrades_blocked=list(judgement.downgrades_blocked),
        runbook_url=runbook_url(signal.annotations, signal.labels))
    return decision


def _routed(state: TriageState, decision: Decision,
            ctx: TriageContext) -> tuple[str | None, str]:
    """The team (first matching route, catalog, security team, text-named service, history)
    and the rationale that says why."""
    judgement = state.judgement
    assert judgement is not None
    team, why = route_team(state.signal.label_view(), ctx.config, service=decision.service,
                           service_source=state.service_source, security=decision.security)
    if team is None and judgement.team:
        team, why = judgement.team, "nearest past cases"
    return team, f"{decision.rationale} Team: {team or 'none'} ({why})."
