"""Read-only queries the MCP tools answer, over the facade (a Pipeline) and nothing else.

Every method returns plain pydantic models (the tools' structured output) and raises
`LookupError` / `ValueError` with a one-line message for a bad argument.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.kernel.decision import Decision
from agent.kernel.taxonomy import priority_for
from agent.pipeline import Pipeline

DocKind = Literal["runbook", "postmortem", "learning", "any"]
MAX_K = 20


class KnowledgeHit(BaseModel):
    """One knowledge-base document matching the query."""

    id: str
    title: str
    kind: str
    score: float
    snippet: str = ""


class KnowledgeResults(BaseModel):
    """The best documents for a query, best first."""

    query: str
    hits: list[KnowledgeHit]


class IncidentSummary(BaseModel):
    """An open incident group and the decisions in it."""

    group_id: str
    incident_id: str | None = None
    state: str | None = None
    title: str | None = None
    team: str | None = None
    service: str | None
    priority: str | None
    status: str
    first_at: str
    last_at: str
    signal_ids: list[str]
    titles: list[str] = Field(default_factory=list)


class OpenIncidents(BaseModel):
    """Open incidents, newest activity first."""

    incidents: list[IncidentSummary]


class Explanation(BaseModel):
    """Why a signal got its decision: the rule or model, the matrix cell, evidence, noise."""

    signal_id: str
    summary: str
    kind: str
    event_type: str
    priority: str
    matrix: str
    rationale: str
    service: dict[str, object] | None = None
    team: str | None = None
    noise: str | None = None
    runbooks: list[str] = Field(default_factory=list)
    postmortems: list[str] = Field(default_factory=list)
    runbook_url: str | None = None
    actions: list[str] = Field(default_factory=list)
    confidence: float
    reasoner: str


class TriageReader:
    """The read-only view the MCP server exposes; `pipeline` comes from the composition root."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def search_knowledge(self, query: str, k: int = 5, kind: DocKind = "any",
                         service: str | None = None) -> KnowledgeResults:
        """Hybrid search over runbooks, postmortems and approved learnings."""
        from knowledge.types import RetrievalQuery

        if not query.strip():
            raise ValueError("query: must not be empty")
        retriever = self.pipeline.knowledge
        if retriever is None:
            raise LookupError("knowledge base: not configured for this server")
        terms = tuple(t for t in query.split() if len(t) > 2)
        hits = retriever.search(RetrievalQuery(text=query, terms=terms, service=service),
                                k=max(1, min(k, MAX_K)), kind=None if kind == "any" else kind)
        return KnowledgeResults(query=query, hits=[
            KnowledgeHit(id=h.id, title=h.title, kind=h.kind, score=round(h.score, 4),
                         snippet=h.snippet[:500]) for h in hits])

    def get_decision(self, signal_id: str) -> Decision:
        """The stored decision of one signal (CONTRACTS §2)."""
        decision = self.pipeline.store.get_decision(signal_id)
        if decision is None:
            state = "pending" if self.pipeline.store.get_signal(signal_id) else "unknown"
            raise LookupError(f"signal_id: {state} signal {signal_id!r} has no decision")
        return decision

    def open_incidents(self, limit: int = 20) -> OpenIncidents:
        """Open incident groups with their signals, as GET /v1/incidents lists them."""
        from agent.service.incidents import Resolutions, open_incidents

        store = self.pipeline.store
        records = getattr(self.pipeline.incidents, "service", None)
        groups = open_incidents(self.pipeline.noise, store, Resolutions(store.conn),
                                max(1, min(limit, 100)), records.store if records else None)
        return OpenIncidents(incidents=[IncidentSummary(
            group_id=g.group_id, incident_id=g.incident_id, state=g.state, title=g.title,
            team=g.team, service=g.service, priority=g.priority, status=g.status,
            first_at=g.first_at.isoformat(), last_at=g.last_at.isoformat(),
            signal_ids=g.signal_ids, titles=[d.title for d in g.signals][:20]) for g in groups])

    def explain(self, signal_id: str) -> Explanation:
        """The decision of a signal, explained from what was recorded with it."""
        d = self.get_decision(signal_id)
        facts = self.pipeline.config.services.get(d.service) if d.service else None
        noise = (f"duplicate of {d.noise.duplicate_of}" if d.noise.duplicate_of else
                 f"suppressed by {d.noise.suppressed_by}" if d.noise.suppressed_by else None)
        return Explanation(
            signal_id=d.signal_id,
            summary=f"{d.kind} {d.priority} ({d.severity}) for {d.service or 'no service'}, "
                    f"team {d.team or 'none'}: {d.title}",
            kind=d.kind, event_type=d.event_type, priority=d.priority,
            matrix=f"impact {d.impact} x urgency {d.urgency} = "
                   f"{priority_for(d.impact, d.urgency)} (ITIL matrix)",
            rationale=d.rationale,
            service=facts.model_dump(exclude_none=True, exclude_defaults=True) | {
                "name": d.service} if facts else None,
            team=d.team, noise=noise,
            runbooks=[f"{r.id} ({r.score:.2f}) {r.title}" for r in d.runbooks[:3]],
            postmortems=[f"{p.id} ({p.score:.2f}) {p.title}" for p in d.postmortems[:2]],
            runbook_url=d.runbook_url,
            actions=[f"{a.tool} {a.status}" + (f": {a.detail}" if a.detail else "")
                     for a in d.actions[:5]],
            confidence=d.confidence, reasoner=d.reasoner)
