"""A read snapshot of the embedded store's chunk vectors, so a one-off command skips Chroma.

Chroma stays the store of record: every write goes to it. After an ingest the chunk vectors
(with their doc id, kind and heading) are also written to `chunks.npz` under the home, stamped
with a fingerprint of the document catalog (id, content hash and chunk count of every document,
and the embedding model). A search whose catalog still has that fingerprint ranks the snapshot
exactly (one matrix product) instead of importing and opening Chroma (about 0.4 s of a cold
`triage run`); any other catalog, a Chroma server, or more than `MAX_CHUNKS` chunks use Chroma.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MAX_CHUNKS = 20_000  # 30 MB of float32 vectors at 384 dimensions; larger stores use HNSW
FILE_NAME = "chunks.npz"


def catalog_fingerprint(docs: Iterable[tuple[str, str, int]], model_id: str) -> str:
    """A stamp of the chunk set: every (doc id, content hash, chunk count) and the model."""
    digest = hashlib.sha256(model_id.encode())
    for doc_id, content_hash, n_chunks in sorted(docs):
        digest.update(f"\0{doc_id}\0{content_hash}\0{n_chunks}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChunkSnapshot:
    """Chunk ids, unit-length vectors and metadata, ranked by exact cosine similarity."""

    ids: list[str]
    matrix: np.ndarray
    metas: list[dict[str, Any]]

    def query(self, vector: np.ndarray, n: int,
              kinds: tuple[str, ...] | None) -> list[tuple[str, float, dict[str, Any]]]:
        """The `n` nearest chunks (of `kinds`, if given): [(id, similarity, metadata)]."""
        if not self.ids:
            return []
        query = vector.astype(np.float32)
        norm = float(np.linalg.norm(query))
        sims = np.einsum("ij,j->i", self.matrix, query / norm if norm else query)
        rows = np.arange(len(self.ids))
        if kinds:
            rows = np.array([i for i, m in enumerate(self.metas) if m.get("kind") in kinds],
                            dtype=np.int64)
            if not len(rows):
                return []
        n = min(n, len(rows))
        sub = sims[rows]
        best = rows[np.argpartition(-sub, n - 1)[:n]]
        best = sorted(best.tolist(), key=lambda i: (-float(sims[i]), self.ids[i]))
        return [(self.ids[i], float(sims[i]), dict(self.metas[i])) for i in best]


def write_snapshot(path: Path, fingerprint: str, ids: list[str], matrix: np.ndarray,
                   metas: list[dict[str, Any]]) -> None:
    """Write atomically (a reader sees the old file or the new one, never half of one)."""
    unit = matrix.astype(np.float32)
    if len(unit):
        norms = np.linalg.norm(unit, axis=1, keepdims=True)
        unit = unit / np.where(norms == 0, 1.0, norms)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as handle:
        np.savez(handle, fingerprint=np.array(fingerprint), matrix=unit,
                 ids=np.array(json.dumps(ids)), metas=np.array(json.dumps(metas)))
    os.replace(tmp, path)


def read_snapshot(path: Path, fingerprint: str) -> ChunkSnapshot | None:
    """The snapshot at `path` when its fingerprint matches, else None."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["fingerprint"]) != fingerprint:
                return None
            return ChunkSnapshot(json.loads(str(data["ids"])), data["matrix"],
                                 json.loads(str(data["metas"])))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:  # a damaged file: Chroma answers instead
        log.warning("chunk snapshot unreadable", extra={"path": str(path), "error": str(exc)})
        return None


class ChunkCache:
    """The snapshot for the current catalog, checked once per change of this process's KB."""

    def __init__(self, folder: Path | None, fingerprint: Callable[[], str],
                 source: Callable[[], tuple[list[str], np.ndarray, list[dict[str, Any]]]],
                 count: Callable[[], int]) -> None:
        """`folder`: where the file lives (None: never snapshot, e.g. a Chroma server);
        `fingerprint()`: the catalog's stamp now; `source()`: every chunk from Chroma;
        `count()`: chunks in the catalog (without opening Chroma)."""
        self._path = folder / FILE_NAME if folder is not None else None
        self._fingerprint = fingerprint
        self._source = source
        self._count = count
        self._lock = threading.Lock()
        self._current: ChunkSnapshot | None = None
        self._checked = False

    def invalidate(self) -> None:
        """This process changed the chunks: check the file again on the next search."""
        with self._lock:
            self._current, self._checked = None, False

    def get(self) -> ChunkSnapshot | None:
        """The usable snapshot, or None (Chroma answers)."""
        with self._lock:
            if not self._checked and self._path is not None:
                self._current = read_snapshot(self._path, self._fingerprint())
                self._checked = True
            return self._current

    def refresh(self) -> bool:
        """Rewrite the file from Chroma for the current catalog (after an ingest)."""
        if self._path is None or self._count() > MAX_CHUNKS:
            self.invalidate()
            return False
        fingerprint = self._fingerprint()
        ids, matrix, metas = self._source()
        if len(ids) != self._count():  # another process is mid-write: leave the old file
            self.invalidate()
            return False
        write_snapshot(self._path, fingerprint, ids, matrix, metas)
        self.invalidate()
        return True
