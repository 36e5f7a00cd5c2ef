"""One document ranking from the candidate lists of a search, over the catalog of stored docs.

The knowledge base gathers candidates (nearest chunks, BM25 over chunks, whole documents and
the name field); `rank_docs` fuses them (reciprocal rank fusion), adds the exact-name, service,
heading and `runbook_url` boosts of `ranking` and returns the best chunk of each top document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from knowledge import ranking
from knowledge.types import DocHit, RetrievalQuery

WEIGHTS = {"vector": 1.0, "chunks": 1.0, "docs": 1.0, "names": 0.5}
DocMeta = tuple[str, str, dict[str, Any]]  # kind, title, prepared front matter
LexHits = list[tuple[str, str, float]]  # (chunk or doc id, doc id or title, score)


class DocCatalog:
    """Every stored document's kind, title and front matter, with the indexes ranking reads."""

    def __init__(self) -> None:
        self.meta: dict[str, DocMeta] = {}
        self._names: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None
        self._idf: dict[str, float] | None = None

    def load(self, docs: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Replace the catalog with (doc id, kind, title, raw front matter) rows."""
        self.meta = {doc_id: (kind, title, ranking.prepare(meta))
                     for doc_id, kind, title, meta in docs}
        self._names = self._idf = None

    def put(self, doc_id: str, kind: str, title: str, meta: dict[str, Any]) -> None:
        """Add or replace one document."""
        self.meta[doc_id] = (kind, title, ranking.prepare(meta))
        self._names = self._idf = None

    def pop(self, doc_id: str) -> None:
        """Forget one document (nothing when unknown)."""
        self.meta.pop(doc_id, None)
        self._names = self._idf = None

    def has_kind(self, kinds: tuple[str, ...]) -> bool:
        """Whether any stored document is of one of `kinds`."""
        return any(meta[0] in kinds for meta in self.meta.values())

    def name_index(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Normalized document names and services -> doc ids (rebuilt after changes)."""
        if self._names is None:
            by_name: dict[str, set[str]] = {}
            by_service: dict[str, set[str]] = {}
            for doc_id, (_, _, meta) in self.meta.items():
                if not meta.get("is_index"):
                    for name in ranking.doc_names(meta):
                        by_name.setdefault(name, set()).add(doc_id)
                for name in ranking.service_names(meta):
                    by_service.setdefault(name, set()).add(doc_id)
            self._names = (by_name, by_service)
        return self._names

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of heading words (rebuilt after changes)."""
        if self._idf is None:
            self._idf = ranking.heading_idf(m for _, _, m in self.meta.values())
        return self._idf


@dataclass
class Candidates:
    """What a search found before fusion: nearest chunks and the three BM25 lists."""

    vectors: list[tuple[str, float, dict[str, Any]]]  # (chunk id, similarity, chunk metadata)
    chunks: LexHits
    docs: LexHits
    names: LexHits


def rank_docs(query: RetrievalQuery, lexical_text: str, catalog: DocCatalog,
              found: Candidates, kinds: tuple[str, ...] | None, service: str | None, k: int,
              chunk_texts: Callable[[list[str]], dict[str, tuple[str, str]]]) -> list[DocHit]:
    """The `k` best documents with their best chunk (`chunk_texts` reads heading and body)."""
    meta_of = catalog.meta
    vec_order, vec_best = ranking.first_per_doc((c, m.get("doc_id", ""))
                                                for c, _, m in found.vectors)
    lex_order, lex_best = ranking.first_per_doc((c, d) for c, d, _ in found.chunks)
    fused = ranking.rrf([(vec_order, WEIGHTS["vector"]), (lex_order, WEIGHTS["chunks"]),
                         ([d for d, _, _ in found.docs], WEIGHTS["docs"]),
                         ([d for d, _, _ in found.names], WEIGHTS["names"])])
    names = ranking.query_names(query)
    sims = {m.get("doc_id"): s for _, s, m in reversed(found.vectors)}
    wanted = ranking.norm_name(service) if service else None
    by_name, by_service = catalog.name_index()
    extra = set().union(*(by_name.get(n, ()) for n in names.exact))
    if wanted:
        extra |= by_service.get(wanted, set())
    for doc_id in extra - fused.keys():  # named docs may be missing from every list
        if not kinds or meta_of[doc_id][0] in kinds:
            fused[doc_id] = 0.0
    url_key = ranking.url_path_key(query.runbook_url) if query.runbook_url else ""
    if url_key:  # the linked runbook may be missing from every candidate list
        for doc_id in meta_of:
            if ranking.url_matches(doc_id, url_key) and doc_id not in fused and (
                    not kinds or meta_of[doc_id][0] in kinds):
                fused[doc_id] = 0.0
    scored = _scored(fused, meta_of, names, ranking.words(lexical_text), catalog.idf(),
                     wanted, url_key)
    best_chunk = {**lex_best, **vec_best}
    texts = chunk_texts([best_chunk[d] for _, d, _ in scored[:k] if d in best_chunk])
    hits: list[DocHit] = []
    ceiling = 1.0
    for total, doc_id, reasons in scored[:k]:
        doc_kind, title, meta = meta_of[doc_id]
        sim = max(0.0, sims.get(doc_id, 0.0))
        score = ceiling = min(ceiling, ranking.display_score(sim, total, reasons))
        chunk = texts.get(best_chunk.get(doc_id, ""), ("", ""))
        hits.append(DocHit(
            id=doc_id, title=title, score=round(score, 4), kind=doc_kind,
            snippet=chunk[1][:400],
            metadata={"actions": meta.get("actions", []), "alerts": meta.get("alerts", []),
                      "services": meta.get("services", []), "heading": chunk[0][:200],
                      "match": reasons, "similarity": round(sim, 4),
                      "fused": round(total, 5), "verify": meta.get("verify")}))
    return hits


def _scored(fused: dict[str, float], meta_of: dict[str, DocMeta], names: ranking.QueryNames,
            query_words: set[str], idf: dict[str, float], wanted: str | None,
            url_key: str) -> list[tuple[float, str, list[str]]]:
    """(total, doc id, reasons) of every fused document, best first (ties by id)."""
    scored: list[tuple[float, str, list[str]]] = []
    for doc_id, base in fused.items():
        if doc_id not in meta_of:
            continue
        _, _, meta = meta_of[doc_id]
        if wanted and wanted not in ranking.service_names(meta):
            continue
        boost, reasons = ranking.boost_for(meta, names, query_words, idf)
        if url_key and ranking.url_matches(doc_id, url_key):
            boost += ranking.EXACT_BOOST / (ranking.RRF_K + 1)
            reasons.append("runbook_url")
        total = base + boost
        if meta.get("is_index"):
            total *= ranking.INDEX_PENALTY
        scored.append((total, doc_id, reasons))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored
