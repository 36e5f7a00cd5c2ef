"""The knowledge base: Chroma vectors + SQLite FTS5 over runbooks, postmortems, cases, learnings.

Implements the `Retriever` protocol the triage graph uses (`search`, `similar_cases`).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.config.sections import KnowledgeSection
from agent.kernel.db import open_db
from knowledge.case_history import CaseHistory
from knowledge.chunk_snapshot import ChunkCache, catalog_fingerprint
from knowledge.doc_ranking import Candidates, DocCatalog, LexHits, rank_docs
from knowledge.doc_writer import STORE_BATCH_DOCS as STORE_BATCH_DOCS
from knowledge.doc_writer import DocWriter, Progress
from knowledge.embed_ahead import EmbedAhead
from knowledge.embedder import Embedder, OnnxEmbedder, embedder_from_config
from knowledge.ingest import BuiltDoc, IngestReport
from knowledge.lexical import LexicalIndex
from knowledge.types import CaseHit, CaseParser, DocHit, LabelGuess, RetrievalQuery
from knowledge.vector_search import CANDIDATES, VectorSearch
from knowledge.vectors import CASES, CHUNKS, VectorIndex, open_chroma

log = logging.getLogger(__name__)

KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "runbook": ("runbook",), "postmortem": ("postmortem", "learning"),
    "learning": ("learning",), "doc": ("doc",),
}
# RRF weights of the four rankings (vector chunks, BM25 chunks, BM25 documents, BM25 names)


def search_text(query: RetrievalQuery) -> str:
    """The text a search embeds for `query` (its text, else its terms)."""
    return query.text.strip() or " ".join(query.terms)


def _load_quietly(model: OnnxEmbedder) -> None:
    try:
        model.load()
    except Exception as exc:  # the first embedding raises it again, to its caller
        log.debug("embedder prefetch failed", extra={"error": str(exc)})


class KnowledgeBase:
    """Hybrid retrieval over documents and labeled cases stored under one --home."""

    def __init__(self, client: Any, lexical: LexicalIndex, embedder: Embedder,
                 tmp: tempfile.TemporaryDirectory[str] | None = None, *,
                 open_client: Callable[[], Any] | None = None,
                 snapshot_dir: Path | None = None) -> None:
        """`client`: a Chroma client, or None with `open_client` to open one on first use
        (a knowledge base with nothing in it never loads Chroma); `snapshot_dir`: where the
        embedded store keeps its chunk snapshot (None: every search asks Chroma)."""
        if client is None and open_client is None:
            raise ValueError("a Chroma client or open_client is needed")
        self._client = client
        self._open_client = open_client
        self._client_lock = threading.RLock()
        self._indexes: dict[str, VectorIndex] = {}
        self.lexical = lexical
        self.embedder = embedder
        self._snapshot = ChunkCache(
            snapshot_dir,
            lambda: catalog_fingerprint(lexical.doc_stamps(), embedder.model_id),
            lambda: self.chunks.all_items(),
            lambda: sum(n for _, _, n in lexical.doc_stamps()))
        self._tmp = tmp
        self.catalog = DocCatalog()
        self._vectors = VectorSearch(self._snapshot, lambda: self.chunks)
        self._writer = DocWriter(lexical, embedder, self.catalog, lambda: self.chunks,
                                 self._vectors.forget)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="kb-lexical")
        self._reload_catalog()
        self._embed_query = lru_cache(maxsize=512)(self._embed_one)
        self._ahead = EmbedAhead(self._embed_query)
        self.history = CaseHistory(lexical, embedder, lambda: self.cases, self._embed_query,
                                   self._pool)
        self.case_parser: CaseParser | None = None  # set by the composition root

    @classmethod
    def open(cls, home: Path | None, *, chroma_url: str | None = None,
             embedder: Embedder | None = None,
             section: KnowledgeSection | None = None) -> KnowledgeBase:
        """Open (creating) the KB under `home` (None: a throwaway temp folder)."""
        section = section or KnowledgeSection()
        tmp = None
        if home is None:
            tmp = tempfile.TemporaryDirectory(prefix="triage-kb-")
            home = Path(tmp.name)
        home = Path(home)
        home.mkdir(parents=True, exist_ok=True)
        url = chroma_url or section.chroma_url
        if embedder is None:
            embedder = embedder_from_config(section.embeddings, section.embedding_model)
        lexical = LexicalIndex(open_db(home / "kb.sqlite3"))
        return cls(None, lexical, embedder, tmp,
                   open_client=lambda: open_chroma(home / "chroma", url),
                   snapshot_dir=None if url else home)

    # --- the vector store, opened on first use ---------------------------------------------
    @property
    def client(self) -> Any:
        """The Chroma client (opened now when it was deferred)."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    assert self._open_client is not None
                    self._client = self._open_client()
        return self._client

    def _index(self, name: str) -> VectorIndex:
        with self._client_lock:
            index = self._indexes.get(name)
            if index is None:
                index = self._indexes[name] = VectorIndex(self.client, name,
                                                          self.embedder.model_id)
            return index

    def warm(self) -> None:
        """Open the vector store, the past cases and a local embedding model now, so the first
        search after a start does not pay for them (a service calls this once started); an
        empty knowledge base stays closed, as a search would leave it."""
        docs, cases = bool(self.catalog.meta), self.lexical.has_cases()
        if docs:
            self._index(CHUNKS)
            if self._snapshot.get() is None:  # a home from before snapshots, or changed since
                self.refresh_snapshot()
        if cases:
            self.history.vectors.get()
        if (docs or cases) and isinstance(self.embedder, OnnxEmbedder):
            self.embedder.load()  # a remote embedding API is not called

    def embed_ahead(self, queries: Iterable[RetrievalQuery]) -> int:
        """Embed the queries of signals to come in the background, each as its search will,
        into the query cache; nothing when nothing is stored to search. Returns how many."""
        if not self.catalog.meta and not self.lexical.has_cases():
            return 0
        return self._ahead.submit([t for q in queries if (t := search_text(q))])

    def prefetch(self) -> None:
        """Load a local embedding model in a background thread when anything is stored, so a
        one-off command overlaps it with the rest of its start (Chroma stays closed)."""
        model = self.embedder
        if (self.catalog.meta or self.lexical.has_cases()) and isinstance(model, OnnxEmbedder) \
                and not model.loaded:
            threading.Thread(target=_load_quietly, args=(model,), name="kb-embedder-load",
                             daemon=True).start()

    @property
    def chunks(self) -> VectorIndex:
        """Document chunk vectors."""
        return self._index(CHUNKS)

    @property
    def cases(self) -> VectorIndex:
        """Past-case vectors."""
        return self._index(CASES)

    def _embed_one(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def _reload_catalog(self) -> None:
        self.catalog.load((r.doc_id, r.kind, r.title, r.meta) for r in self.lexical.all_docs())
        self._vectors.forget()

    # --- ingestion (delegated to knowledge.doc_writer) ----------------------------------------
    def ingest_path(self, path: str | Path, kind: str = "auto", prune: bool = False,
                    report: IngestReport | None = None,
                    progress: Progress | None = None) -> IngestReport:
        """Ingest a folder or file: new/changed files (by content hash) replace their chunks.

        `progress(done, total)` is called as the new or changed documents are stored."""
        report = self._writer.ingest(path, kind, prune, report, progress)
        self._reload_catalog()
        if report.added or report.updated or report.pruned or self._snapshot.get() is None:
            self.refresh_snapshot()
        log.info("ingested", extra={"path": str(path), "summary": report.summary()})
        return report

    def store_built(self, doc: BuiltDoc, vectors: np.ndarray) -> None:
        """Replace one document's rows in both indexes with the given chunk vectors."""
        self._writer.store(doc, vectors)

    def delete_doc(self, doc_id: str) -> bool:
        """Remove a document from both indexes; True when it existed."""
        return self._writer.delete(doc_id)

    def ingest_cases(self, source: str | Path | Iterable[dict[str, Any]],
                     origin: str = "history", *, parse: CaseParser | None = None) -> int:
        """Store labeled past cases (CONTRACTS §5 lines); returns how many were stored.

        `parse` turns a case's input into signals (default: the parser the KB was opened with).
        """
        parser = parse or self.case_parser
        if parser is None:
            raise ValueError("no case parser: open the knowledge base through agent.wiring")
        return self.history.ingest(source, origin, parser)

    def add_case_record(self, case: dict[str, Any], origin: str = "feedback") -> None:
        """Store one already-built case: {"id", "text", "labels", "signal_labels"}."""
        self.history.add_record(case, origin)

    # --- retrieval ---------------------------------------------------------------------------
    def search(self, query: RetrievalQuery, *, k: int = 3, kind: str | None = "runbook",
               service: str | None = None) -> list[DocHit]:
        """Best documents for the query (best chunk per doc), fused vector + BM25 + name boosts.

        `kind` filters the document kind ("postmortem" includes approved learnings);
        `service` keeps only documents whose front matter lists that service.
        """
        kinds = KIND_GROUPS.get(kind, (kind,)) if kind else None
        if not self.catalog.meta or not query.text.strip() and not query.terms:
            return []
        if kinds and not self.catalog.has_kind(kinds):
            return []  # nothing of that kind stored (no postmortems yet): nothing to rank
        lexical_text = "\n".join([query.text, *query.terms])
        lexical = self._pool.submit(self._lexical_candidates, lexical_text, kinds)
        key_text = search_text(query)
        vector = self._embed_query(key_text)
        vec_hits = self._vectors.candidates(vector, kinds, key_text)  # while SQLite works
        found = Candidates(vec_hits, *lexical.result())
        return rank_docs(query, lexical_text, self.catalog, found, kinds, service, k,
                         self.lexical.chunk_texts)

    def _lexical_candidates(self, text: str, kinds: tuple[str, ...] | None
                            ) -> tuple[LexHits, LexHits, LexHits]:
        """BM25 over chunks, whole documents and the name field."""
        return (self.lexical.search_chunks(text, CANDIDATES, kinds),
                self.lexical.search_docs(text, CANDIDATES // 2, kinds),
                self.lexical.search_names(text, CANDIDATES // 2, kinds))

    def refresh_snapshot(self) -> None:
        """Write the chunk snapshot for the current catalog (after this process changed it)."""
        if self.catalog.meta:
            self._snapshot.refresh()

    def similar_cases(self, query: RetrievalQuery, *, k: int = 5) -> list[CaseHit]:
        """Nearest labeled past cases: cosine similarity plus agreement on name-like labels."""
        return self.history.similar(query, k)

    def history_guess(self, query: RetrievalQuery, label: str) -> LabelGuess | None:
        """The head re-fitted on the labeled history for `label`, applied to the query text."""
        return self.history.guess(query, label)

    def stats(self) -> dict[str, int]:
        """Counts of documents by kind, chunks, vectors and cases."""
        out = self.lexical.counts()
        out["vectors"] = self.chunks.count()
        return out

    def close(self) -> None:
        """Stop the lexical worker and release the temp folder of a throwaway KB."""
        self._pool.shutdown(wait=True)  # a running lexical query is milliseconds
        self._ahead.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
