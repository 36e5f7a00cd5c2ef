"""Retrieval result types and the `Retriever` protocol the triage graph depends on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.kernel.decision import Decision
from agent.kernel.signal import Signal


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
class LabelGuess:
    """A head re-fitted on the labeled history: probability of each value of one label."""

    label: str
    probabilities: dict[str, float]
    validated_accuracy: float  # on the newest fifth of the history, fitted on the rest
    baseline_accuracy: float  # the majority value on that same newest fifth
    cases: int  # labeled cases it was fitted on


@dataclass(frozen=True)
class RetrievalQuery:
    """What the graph asks for: free text plus exact terms (alert, service, metric names)."""

    text: str
    terms: tuple[str, ...] = ()
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    runbook_url: str | None = None  # the alert's runbook_url annotation: a strong hint


class Retriever(Protocol):
    """What the triage graph needs from the knowledge base."""

    def search(self, query: RetrievalQuery, *, k: int = 3,
               kind: str | None = None) -> list[DocHit]:
        """Best documents (one per document id) for the query, best first."""
        ...

    def similar_cases(self, query: RetrievalQuery, *, k: int = 5) -> list[CaseHit]:
        """Nearest labeled past cases, best first."""
        ...

    def history_guess(self, query: RetrievalQuery, label: str) -> LabelGuess | None:
        """The history head's probabilities for `label` (None: no head beats the majority)."""
        ...

    def embed_ahead(self, queries: Iterable[RetrievalQuery]) -> int:
        """Start embedding the queries of signals to come (a cache warm-up); how many."""
        ...


class StoredSignals(Protocol):
    """Read access to stored signals and decisions (the core's signal store implements it)."""

    def get_signal(self, signal_id: str) -> Signal | None:
        """The stored signal, or None."""
        ...

    def get_decision(self, signal_id: str) -> Decision | None:
        """The stored decision, or None."""
        ...


# Turns a case's `input` ({"format", "payload"}) and its id into signals. The payload parser
# lives in core (agent.signals), so the knowledge base is handed one instead of importing it.
CaseParser = Callable[[dict[str, Any], str], list[Signal]]
