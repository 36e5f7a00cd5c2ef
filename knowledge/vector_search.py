"""Nearest chunks of a query vector: the chunk snapshot when it matches, else Chroma, memoized.

The snapshot (`chunk_snapshot`) ranks exactly as Chroma does for the embedded store; a Chroma
server, a changed catalog or a large store asks Chroma, whose answers are kept per query text
(and kind filter) until this process changes the chunks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from knowledge.chunk_snapshot import ChunkCache
from knowledge.vectors import VectorIndex

CANDIDATES = 40
VECTOR_MEMO = 256  # query texts whose nearest chunks are kept
VectorHits = list[tuple[str, float, dict[str, Any]]]  # (chunk id, similarity, chunk metadata)


class VectorSearch:
    """The vector half of a knowledge-base search."""

    def __init__(self, snapshot: ChunkCache, chunks: Callable[[], VectorIndex]) -> None:
        self.snapshot = snapshot
        self._chunks = chunks  # the Chroma chunk index, opened on first use
        self._memo: OrderedDict[tuple[str, tuple[str, ...] | None], VectorHits] = OrderedDict()
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop remembered answers and the snapshot (the chunks changed)."""
        with self._lock:
            self._memo.clear()
        self.snapshot.invalidate()

    def candidates(self, vector: np.ndarray, kinds: tuple[str, ...] | None,
                   text: str) -> VectorHits:
        """Nearest chunks of the wanted kinds: from the snapshot when it matches the catalog,
        else unfiltered HNSW first (fast), filtered if sparse."""
        snapshot = self.snapshot.get()
        if snapshot is not None:
            return snapshot.query(vector, CANDIDATES, kinds)
        hits = self._chroma((text, None), lambda: self._chunks().query(vector, CANDIDATES * 2))
        if kinds:
            hits = [h for h in hits if h[2].get("kind") in kinds]
            if len(hits) < CANDIDATES // 4:
                hits = self._chroma((text, kinds), lambda: self._chunks().query(
                    vector, CANDIDATES, {"kind": {"$in": list(kinds)}}))
        return hits[:CANDIDATES]

    def _chroma(self, key: tuple[str, tuple[str, ...] | None],
                ask: Callable[[], VectorHits]) -> VectorHits:
        """Chroma's answer for `key`, asked once per text (and kind filter) while chunks stay."""
        with self._lock:
            hits = self._memo.get(key)
            if hits is not None:
                self._memo.move_to_end(key)
                return hits
        hits = ask()
        with self._lock:
            self._memo[key] = hits
            while len(self._memo) > VECTOR_MEMO:
                self._memo.popitem(last=False)
        return hits
