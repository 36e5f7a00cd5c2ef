"""The chunk snapshot: a fresh process searches without Chroma while the catalog is unchanged."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from knowledge.base import KnowledgeBase
from knowledge.chunk_snapshot import FILE_NAME, ChunkSnapshot, read_snapshot, write_snapshot
from knowledge.embedder import OnnxEmbedder
from knowledge.types import RetrievalQuery

QUERIES = [RetrievalQuery("the disk is nearly full and writes fail"),
           RetrievalQuery("pods keep restarting", terms=("KubePodCrashLooping",)),
           RetrievalQuery("certificate expires soon")]


def _answers(kb: KnowledgeBase, kind: str | None = "runbook") -> list[list[tuple[str, float]]]:
    return [[(h.id, round(h.score, 3)) for h in kb.search(q, k=3, kind=kind)] for q in QUERIES]


def _chroma_answers(kb: KnowledgeBase, home: Path, kind: str | None = "runbook") -> list:
    (home / FILE_NAME).unlink()
    kb._snapshot.invalidate()
    return _answers(kb, kind)


def _ingested_home(tmp_path: Path, runbooks: Path, embedder: OnnxEmbedder) -> Path:
    """A home whose knowledge base holds the fixture runbooks (the writer closed again)."""
    home = tmp_path / "home"
    writer = KnowledgeBase.open(home, embedder=embedder)
    writer.ingest_path(runbooks)
    writer.close()
    return home


def test_a_fresh_process_searches_the_snapshot_and_never_opens_chroma(
        tmp_path: Path, runbooks: Path, embedder: OnnxEmbedder) -> None:
    home = _ingested_home(tmp_path, runbooks, embedder)
    assert (home / FILE_NAME).exists()
    reader = KnowledgeBase.open(home, embedder=embedder)
    from_snapshot = _answers(reader)
    assert reader._client is None  # Chroma was never imported into use
    assert all(answer for answer in from_snapshot)
    assert from_snapshot == _chroma_answers(reader, home)  # same ranking as Chroma's
    assert reader._client is not None
    reader.close()


def test_a_changed_catalog_is_answered_by_chroma_until_refreshed(
        tmp_path: Path, runbooks: Path, embedder: OnnxEmbedder) -> None:
    home = tmp_path / "home"
    kb = KnowledgeBase.open(home, embedder=embedder)
    kb.ingest_path(runbooks)
    stale = (home / FILE_NAME).read_bytes()
    (runbooks / "tls.md").write_text("# Certificate expiry\n\nThe TLS certificate expires soon: "
                                     "renew it with cert-manager and reload the ingress.\n",
                                     encoding="utf-8")
    kb.ingest_path(runbooks)
    assert (home / FILE_NAME).read_bytes() != stale  # the ingest wrote a new snapshot
    (home / FILE_NAME).write_bytes(stale)  # as if another process had not refreshed yet
    other = KnowledgeBase.open(home, embedder=embedder)
    hits = other.search(QUERIES[2], k=1)
    assert hits[0].id == "tls.md" and other._client is not None  # the stale file was refused
    other.close()
    kb.close()


def test_a_damaged_snapshot_falls_back_to_chroma(tmp_path: Path, runbooks: Path,
                                                 embedder: OnnxEmbedder) -> None:
    home = tmp_path / "home"
    kb = KnowledgeBase.open(home, embedder=embedder)
    kb.ingest_path(runbooks)
    expected = _answers(kb)
    kb.close()
    (home / FILE_NAME).write_bytes(b"not a numpy archive")
    reader = KnowledgeBase.open(home, embedder=embedder)
    assert _answers(reader) == expected
    reader.warm()  # a service start rewrites a missing or unreadable snapshot
    reader.close()
    assert read_snapshot(home / FILE_NAME, "x") is None
    again = KnowledgeBase.open(home, embedder=embedder)
    assert _answers(again) == expected and again._client is None
    again.close()


def test_snapshot_query_is_exact_and_filters_kinds(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(50, 8)).astype(np.float32)
    ids = [f"c{i}" for i in range(50)]
    metas = [{"doc_id": f"d{i // 2}", "kind": "runbook" if i % 3 else "postmortem"}
             for i in range(50)]
    write_snapshot(tmp_path / FILE_NAME, "stamp", ids, matrix, metas)
    assert read_snapshot(tmp_path / FILE_NAME, "other stamp") is None
    snap = read_snapshot(tmp_path / FILE_NAME, "stamp")
    assert isinstance(snap, ChunkSnapshot)
    query = rng.normal(size=8).astype(np.float32)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    sims = unit @ (query / np.linalg.norm(query))
    top = snap.query(query, 5, None)
    assert [i for i, _, _ in top] == [ids[i] for i in np.argsort(-sims)[:5]]
    assert np.allclose([s for _, s, _ in top], np.sort(sims)[::-1][:5], atol=1e-5)
    post = snap.query(query, 100, ("postmortem",))
    assert len(post) == 17 and all(m["kind"] == "postmortem" for _, _, m in post)
    assert snap.query(query, 3, ("learning",)) == []


def test_prefetch_loads_the_model_in_the_background_only_when_something_is_stored(
        tmp_path: Path, runbooks: Path, embedder: OnnxEmbedder) -> None:
    home = _ingested_home(tmp_path, runbooks, embedder)
    empty = KnowledgeBase.open(tmp_path / "empty", embedder=OnnxEmbedder())
    empty.prefetch()
    time.sleep(0.2)
    assert not empty.embedder.loaded  # type: ignore[attr-defined]  # nothing to search
    cold = OnnxEmbedder()
    reader = KnowledgeBase.open(home, embedder=cold)
    reader.prefetch()
    deadline = time.monotonic() + 30
    while not cold.loaded and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cold.loaded and reader._client is None  # the model, not Chroma
    assert reader.search(QUERIES[0], k=1)[0].id == "disk.md"
    empty.close()
    reader.close()
