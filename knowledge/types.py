"""Retrieval result types and the `Retriever` protocol the triage graph depends on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class DocHit:
    """A retrieved document: its id (path relative to the ingested folder), title and score."""

    id: str
    title: str
    score: float
    kind: str = "runbook"  # runbook | postmortem | learning | doc
    snippet: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseHit:
    """A labeled past case close to the signal, with the labels it carried."""

    id: str
    score: float
    text: str
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RetrievalQuery:
    """What the graph asks for: free text plus exact terms (alert, service, metric names)."""

    text: str
    terms: tuple[str, ...] = ()
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


class Retriever(Protocol):
    """What the triage graph needs from the knowledge base."""

    def search(self, query: RetrievalQuery, *, k: int = 3,
               kind: str | None = None) -> list[DocHit]:
        """Best documents (one per document id) for the query, best first."""
        ...

    def similar_cases(self, query: RetrievalQuery, *, k: int = 5) -> list[CaseHit]:
        """Nearest labeled past cases, best first."""
        ...
