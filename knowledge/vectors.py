"""The vector side of hybrid retrieval: Chroma collections fed with precomputed embeddings."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)

CHUNKS = "kb_chunks"
CASES = "kb_cases"
QUARANTINE = "kb_learnings_quarantine"


def open_chroma(path: Path | None, url: str | None) -> Any:
    """An embedded PersistentClient under `path`, or an HttpClient when `url` is given."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        ssl = parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        log.info("chroma server", extra={"host": parsed.hostname, "port": port})
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=port, ssl=ssl,
                                   settings=chroma_settings)
    if path is None:
        return chromadb.EphemeralClient(settings=chroma_settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorIndex:
    """One Chroma collection with cosine distance; vectors always come from our embedder."""

    def __init__(self, client: Any, name: str, model_id: str) -> None:
        self.collection = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model_id})
        stored = (self.collection.metadata or {}).get("embedding_model")
        if stored and stored != model_id:
            raise ValueError(f"collection {name} was built with {stored}, not {model_id}; "
                             "use a fresh --home or the same embeddings backend")
        self._batch = max(1, min(1000, int(client.get_max_batch_size())))
        self._count: int | None = None  # cached: count() is a round trip per call

    def add(self, ids: list[str], vectors: np.ndarray, documents: list[str],
            metadatas: list[dict[str, Any]]) -> None:
        """Upsert items in batches the server accepts."""
        self._count = None
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            self.collection.upsert(ids=ids[start:end], embeddings=vectors[start:end].tolist(),
                                   documents=documents[start:end], metadatas=metadatas[start:end])

    def delete_where(self, where: dict[str, Any]) -> None:
        """Delete items matching a metadata filter."""
        self._count = None
        self.collection.delete(where=where)

    def delete_ids(self, ids: list[str]) -> None:
        """Delete items by id."""
        if ids:
            self._count = None
            self.collection.delete(ids=ids)

    def query(self, vector: np.ndarray, n: int,
              where: dict[str, Any] | None = None) -> list[tuple[str, float, dict[str, Any]]]:
        """Nearest items: [(id, cosine similarity, metadata)], best first."""
        result = self.collection.query(query_embeddings=[vector.tolist()], n_results=n,
                                       where=where or None, include=["distances", "metadatas"])
        ids = result["ids"][0]
        dists = result["distances"][0]
        metas = result["metadatas"][0]
        return [(i, 1.0 - float(d), dict(m or {})) for i, d, m in zip(ids, dists, metas,
                                                                       strict=True)]

    def count(self) -> int:
        """Number of stored items; a positive count is cached until this process writes
        (an empty collection is re-checked, so another process's ingest becomes visible)."""
        if self._count:
            return self._count
        count = int(self.collection.count())
        self._count = count or None
        return count

    def all_items(self) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
        """Every stored id, its embedding and its metadata (read in batches)."""
        return self._read_all(["embeddings", "metadatas"])

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every stored id and its embedding (read in batches; used to cache small indexes)."""
        ids, matrix, _ = self._read_all(["embeddings"])
        return ids, matrix

    def _read_all(self, include: list[str]) -> tuple[list[str], np.ndarray, list[dict[str, Any]]]:
        ids: list[str] = []
        rows: list[np.ndarray] = []
        metas: list[dict[str, Any]] = []
        total = int(self.collection.count())
        for offset in range(0, total, self._batch):
            got = self.collection.get(limit=self._batch, offset=offset, include=include)
            ids += list(got["ids"])
            rows.append(np.asarray(got["embeddings"], dtype=np.float32))
            if "metadatas" in include:
                metas += [dict(m or {}) for m in got["metadatas"]]
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix, metas

