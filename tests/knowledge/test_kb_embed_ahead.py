"""Embedding ahead: a worker's next query is embedded in the background, alone, into the cache
the search reads, so the search embeds nothing and ranks exactly as it would have."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from knowledge.base import KnowledgeBase
from knowledge.embedder import OnnxEmbedder
from knowledge.types import RetrievalQuery

QUERY = RetrievalQuery("pods keep restarting on host-17", terms=("KubePodCrashLooping",))


class _Counting:
    """The real embedder, counting the texts it embeds and the threads that asked."""

    def __init__(self, inner: OnnxEmbedder) -> None:
        self.inner, self.model_id = inner, inner.model_id
        self.calls: list[tuple[str, str]] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += [(threading.current_thread().name, t) for t in texts]
        return self.inner.embed(texts)


def test_the_search_after_embedding_ahead_embeds_nothing_and_ranks_the_same(
        tmp_path: Path, runbooks: Path, embedder: OnnxEmbedder) -> None:
    plain = KnowledgeBase.open(tmp_path / "plain", embedder=embedder)
    plain.ingest_path(runbooks)
    expected = [(h.id, h.score) for h in plain.search(QUERY, k=3)]
    counting = _Counting(embedder)
    kb = KnowledgeBase.open(tmp_path / "ahead", embedder=counting)  # type: ignore[arg-type]
    kb.ingest_path(runbooks)
    counting.calls.clear()
    assert kb.embed_ahead([QUERY]) == 1
    kb._ahead.close()  # wait for the background thread
    assert [t for _, t in counting.calls] == [QUERY.text]
    assert counting.calls[0][0].startswith("kb-embed-ahead")
    assert [(h.id, h.score) for h in kb.search(QUERY, k=3)] == expected
    assert len(counting.calls) == 1  # the search found the vector cached
    np.testing.assert_array_equal(kb._embed_query(QUERY.text), embedder.embed([QUERY.text])[0])


def test_nothing_is_embedded_ahead_for_an_empty_knowledge_base(
        tmp_path: Path, embedder: OnnxEmbedder) -> None:
    counting = _Counting(embedder)
    kb = KnowledgeBase.open(tmp_path / "empty", embedder=counting)  # type: ignore[arg-type]
    assert kb.embed_ahead([QUERY]) == 0
    kb.close()
    assert counting.calls == []
