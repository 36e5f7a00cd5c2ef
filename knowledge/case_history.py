"""Labeled past cases as history: stored once with their embedding, looked up by similarity,
and the label heads re-fitted on them (the knowledge base delegates its case methods here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.case_model import CaseHeads
from knowledge.cases import CaseRecord, CaseVectors, case_records, score_cases
from knowledge.embedder import Embedder
from knowledge.lexical import LexicalIndex
from knowledge.types import CaseHit, CaseParser, LabelGuess, RetrievalQuery
from knowledge.vectors import VectorIndex

CANDIDATES = 40  # nearest cases by vector, plus the BM25 best, before label agreement
CASE_LABEL_WEIGHT = 0.3  # share of a case's score from agreeing name-like labels


class CaseHistory:
    """Past cases under one home: SQLite rows (text, labels, FTS) and Chroma vectors."""

    def __init__(self, lexical: LexicalIndex, embedder: Embedder,
                 index: Callable[[], VectorIndex], embed_query: Callable[[str], np.ndarray],
                 pool: ThreadPoolExecutor) -> None:
        """`index`: the case collection (opened on first use); `embed_query`: the KB's cached
        query embedding (a signal's document search and case lookup share one); `pool`: the
        KB's lexical worker."""
        self.lexical = lexical
        self.embedder = embedder
        self._index = index
        self._embed_query = embed_query
        self._pool = pool
        self.vectors = CaseVectors(index)
        self._heads = CaseHeads(self.vectors.get, lexical.case_labels_in_order)

    def ingest(self, source: str | Path | Iterable[dict[str, Any]], origin: str,
               parse: CaseParser) -> int:
        """Store labeled past cases (CONTRACTS §5 lines) parsed with `parse`; how many."""
        return self.store(case_records(source, parse), origin)

    def add_record(self, case: dict[str, Any], origin: str) -> None:
        """Store one already-built case: {"id", "text", "labels", "signal_labels"}."""
        self.store([CaseRecord(case["id"], case["text"], dict(case["labels"]),
                               dict(case.get("signal_labels") or {}))], origin)

    def store(self, records: list[CaseRecord], origin: str) -> int:
        """Embed once and store the records in both indexes."""
        if not records:
            return 0
        vectors = self.embedder.embed([r.text for r in records])
        self.lexical.put_cases([(r.case_id, r.text, r.labels, r.signal_labels)
                                for r in records], origin,
                               datetime.now(UTC).isoformat(timespec="seconds"))
        self.vectors.invalidate()
        self._index().add([r.case_id for r in records], vectors, [r.text for r in records],
                          [{"origin": origin} for _ in records])
        return len(records)

    def similar(self, query: RetrievalQuery, k: int) -> list[CaseHit]:
        """Nearest labeled past cases: cosine similarity plus agreement on name-like labels."""
        if not query.text.strip() or not self.lexical.has_cases():
            return []  # no history: Chroma is never opened for it
        # BM25 runs in SQLite (off the GIL) while the query is embedded
        lexical = self._pool.submit(self.lexical.search_cases,
                                    "\n".join([query.text, *query.terms]), CANDIDATES)
        vector = self._embed_query(query.text.strip())
        ids, matrix, row = self.vectors.get()
        if not ids:
            lexical.result()
            return []
        # stored once at ingest, never re-embedded; einsum, not BLAS: a threaded BLAS gemv on
        # a busy 2-core box costs 20-30 ms for 10,000 rows, einsum about 1 ms
        all_sims = np.einsum("ij,j->i", matrix, vector.astype(np.float32))
        n = min(CANDIDATES, len(ids))
        nearest = np.argpartition(-all_sims, n - 1)[:n] if n else []
        lex = lexical.result()
        candidates = list(dict.fromkeys(
            [ids[i] for i in sorted(nearest, key=lambda i: -all_sims[i])]
            + [c for c, _ in lex if c in row]))
        sims = {c: float(all_sims[row[c]]) for c in candidates}
        stored = self.lexical.get_cases(candidates)
        return score_cases(query.labels, candidates, sims, stored, k, CASE_LABEL_WEIGHT)

    def guess(self, query: RetrievalQuery, label: str) -> LabelGuess | None:
        """The head re-fitted on the history for `label`, applied to the query text."""
        if not query.text.strip() or not self.lexical.has_cases():
            return None
        head = self._heads.head(label)
        if head is None:
            return None
        return head.guess(self._embed_query(query.text.strip()))  # cached: similar()'s vector
