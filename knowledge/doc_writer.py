"""Writing documents into the knowledge base: which files are new or changed (by content hash),
their chunks embedded in batches, and one document's rows replaced or removed in both indexes
(the knowledge base delegates its ingestion here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from knowledge.doc_ranking import DocCatalog
from knowledge.embedder import Embedder
from knowledge.ingest import (
    KINDS,
    BuiltDoc,
    IngestReport,
    build_doc,
    content_hash,
    discover,
    namespaced_id,
)
from knowledge.lexical import LexicalIndex
from knowledge.vectors import VectorIndex

log = logging.getLogger(__name__)

STORE_BATCH_DOCS = 8  # documents embedded per step when progress is reported
Progress = Callable[[int, int], None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DocWriter:
    """Document writes under one home: SQLite catalog rows (FTS) and Chroma chunk vectors."""

    def __init__(self, lexical: LexicalIndex, embedder: Embedder, catalog: DocCatalog,
                 chunks: Callable[[], VectorIndex], forget: Callable[[], None]) -> None:
        """`chunks`: the chunk collection (opened on first use); `catalog`: the KB's in-memory
        document catalog; `forget`: drops the KB's cached vector candidates after a write."""
        self.lexical = lexical
        self.embedder = embedder
        self.catalog = catalog
        self._chunks = chunks
        self._forget = forget

    def ingest(self, path: str | Path, kind: str, prune: bool, report: IngestReport | None,
               progress: Progress | None) -> IngestReport:
        """Store the new/changed files of a folder or file (by content hash), pruning when asked.

        `progress(done, total)` is called as the new or changed documents are stored."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        report = report or IngestReport()
        root, files = discover(Path(path))
        seen: set[str] = set()
        todo: list[BuiltDoc] = []
        for file in files:
            data = file.read_bytes()
            digest = content_hash(data, kind)
            doc_id = file.relative_to(root).as_posix()
            existing = self.lexical.get_doc(doc_id)
            if existing and existing.root != str(root):  # another folder owns the plain id
                log.warning("id taken by another folder: namespaced", extra={
                    "doc_id": doc_id, "owner": existing.root, "folder": str(root)})
                doc_id = namespaced_id(root, doc_id)
                existing = self.lexical.get_doc(doc_id)
            seen.add(doc_id)
            if existing and existing.content_hash == digest:
                report.skipped.append(doc_id)
                continue
            try:
                todo.append(build_doc(root, file, data, kind, digest, doc_id))
            except Exception as exc:  # a broken file must not stop the folder
                log.warning("ingest failed", extra={"doc_id": doc_id, "error": str(exc)})
                report.errors.append(f"{doc_id}: {exc}")
                continue
            (report.updated if existing else report.added).append(doc_id)
        self.store_docs(todo, progress)
        report.chunks += sum(len(d.chunks) for d in todo)
        if prune and Path(path).resolve().is_dir():
            for doc_id in self.lexical.docs_under(str(root)):
                if doc_id not in seen:
                    self.delete(doc_id)
                    report.pruned.append(doc_id)
        return report

    def store_docs(self, docs: list[BuiltDoc], progress: Progress | None = None) -> None:
        """Embed the documents' chunks (in batches when progress is reported) and store each."""
        step = STORE_BATCH_DOCS if progress else max(1, len(docs))
        for start in range(0, len(docs), step):
            batch = docs[start:start + step]
            texts = [c.text for d in batch for c in d.chunks]
            vectors = (self.embedder.embed(texts) if texts
                       else np.zeros((0, 1), dtype=np.float32))
            offset = 0
            for doc in batch:
                n = len(doc.chunks)
                self.store(doc, vectors[offset:offset + n])
                offset += n
            if progress:
                progress(start + len(batch), len(docs))

    def store(self, doc: BuiltDoc, vectors: np.ndarray) -> None:
        """Replace one document's rows in both indexes with the given chunk vectors."""
        rec = doc.record
        chunks = self._chunks()
        chunks.delete_where({"doc_id": rec.doc_id})
        ids = [f"{rec.doc_id}#{c.index}" for c in doc.chunks]
        self.lexical.put_doc(rec, [(i, c.heading, c.text) for i, c in zip(ids, doc.chunks,
                                                                          strict=True)],
                             doc.names, doc.body, _now())
        metas = [{"doc_id": rec.doc_id, "kind": rec.kind, "heading": c.heading[:500]}
                 for c in doc.chunks]
        chunks.add(ids, vectors, [c.text for c in doc.chunks], metas)
        self.catalog.put(rec.doc_id, rec.kind, rec.title, dict(rec.meta))
        self._forget()

    def delete(self, doc_id: str) -> bool:
        """Remove a document from both indexes; True when it existed."""
        existed = self.lexical.get_doc(doc_id) is not None
        self._chunks().delete_where({"doc_id": doc_id})
        self.lexical.delete_doc(doc_id)
        self.catalog.pop(doc_id)
        self._forget()
        return existed
