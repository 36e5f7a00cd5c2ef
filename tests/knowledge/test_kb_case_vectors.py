"""Past-case lookup uses the embeddings stored at ingest: a query embeds only itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.signals.cases import parse_case_input
from knowledge.base import KnowledgeBase
from knowledge.embedder import OnnxEmbedder
from knowledge.types import RetrievalQuery


class CountingEmbedder:
    """The real ONNX embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: OnnxEmbedder) -> None:
        self.inner, self.texts = inner, 0
        self.model_id, self.dim = inner.model_id, inner.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)


def _case(i: int, text: str, team: str) -> dict:
    return {"id": f"h-{i}", "input": {"format": "ticket", "payload": {"title": text, "body": text,
                                                                      "reporter": "u"}},
            "expected": {"kind": "incident", "team": team}}


def test_similar_cases_embed_only_the_query(tmp_path, embedder: OnnxEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    kb = KnowledgeBase.open(tmp_path / "home", embedder=counting)
    kb.case_parser = parse_case_input
    texts = [("VPN tunnel drops every hour", "it"), ("VPN login fails with MFA error", "it"),
             ("Checkout page returns 502", "payments"), ("Card payments declined", "payments"),
             ("Orders table bloating, vacuum lagging", "data")] * 8
    kb.ingest_cases([_case(i, t, team) for i, (t, team) in enumerate(texts)])
    before = counting.texts
    hits = kb.similar_cases(RetrievalQuery(text="the VPN keeps dropping my connection"), k=5)
    assert counting.texts - before == 1  # the query only; stored cases are never re-embedded
    assert hits and hits[0].labels["team"] == "it"
    kb.ingest_cases([_case(99, "Payroll export stuck in the queue", "finance")])
    new = kb.similar_cases(RetrievalQuery(text="payroll export is stuck"), k=3)
    assert new[0].id == "h-99"  # the in-memory matrix follows new cases
    kb.close()


def test_an_empty_knowledge_base_never_opens_chroma(tmp_path, embedder: OnnxEmbedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "home", embedder=embedder)
    query = RetrievalQuery(text="the VPN keeps dropping my connection", terms=("vpn",))
    assert kb.search(query, k=3) == [] and kb.similar_cases(query, k=5) == []
    assert kb._client is None and not (tmp_path / "home" / "chroma").exists()
    kb.case_parser = parse_case_input
    kb.ingest_cases([_case(1, "VPN tunnel drops every hour", "it")])  # a write opens it
    assert kb._client is not None
    assert [h.id for h in kb.similar_cases(query, k=5)] == ["h-1"]
    kb.close()


def test_a_case_stored_again_replaces_its_text(tmp_path, embedder: OnnxEmbedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "home", embedder=embedder)
    kb.case_parser = parse_case_input
    kb.ingest_cases([_case(1, "Printer jams on floor three", "it"),
                     _case(2, "Payroll export stuck", "finance")])
    kb.ingest_cases([_case(1, "Checkout page returns 502", "payments")])
    assert kb.lexical.search_cases("printer jams floor", 10) == []  # the old text is gone
    assert [c for c, _ in kb.lexical.search_cases("checkout 502", 10)] == ["h-1"]
    hits = kb.similar_cases(RetrievalQuery(text="checkout returns 502 errors"), k=2)
    assert hits[0].id == "h-1" and hits[0].labels["team"] == "payments"
    assert kb.stats()["cases"] == 2
    kb.close()


def test_warm_opens_what_the_first_search_needs_and_leaves_an_empty_kb_closed(
        tmp_path, embedder: OnnxEmbedder) -> None:
    empty = KnowledgeBase.open(tmp_path / "empty", embedder=OnnxEmbedder())
    empty.warm()
    assert empty._client is None and not (tmp_path / "empty" / "chroma").exists()
    assert not empty.embedder.loaded  # type: ignore[attr-defined]
    empty.close()
    home = tmp_path / "home"
    kb = KnowledgeBase.open(home, embedder=embedder)
    kb.case_parser = parse_case_input
    kb.ingest_cases([_case(1, "VPN tunnel drops every hour", "it")])
    kb.close()
    fresh = OnnxEmbedder()
    reopened = KnowledgeBase.open(home, embedder=fresh)
    assert reopened._client is None and not fresh.loaded
    reopened.warm()
    assert reopened._client is not None and fresh.loaded
    query = RetrievalQuery(text="the VPN keeps dropping my connection")
    assert [h.id for h in reopened.similar_cases(query, k=5)] == ["h-1"]
    reopened.close()
