"""Fusion and exact-name boosts: how vector and BM25 rankings become one document ranking."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge.types import RetrievalQuery

RRF_K = 10  # small k: top ranks of each list count (the lists are short and precise)
# boosts in units of one rank-1 RRF contribution; an exact name match wins outright
EXACT_BOOST = 10.0
SERVICE_BOOST = 0.5
FOLDER_BOOST = 0.25
INDEX_PENALTY = 0.3  # folder indexes (_index.md) are rarely the answer
_SPLIT = re.compile(r"[^a-z0-9]+")
# label keys whose values name things (alerts, services, jobs) rather than instances
_NAME_KEYS = ("alertname", "service", "job", "namespace", "container", "app", "component",
              "__name__", "check", "program")


def norm_name(value: str) -> str:
    """Canonical form for exact name matching: lower-case letters and digits only."""
    return _SPLIT.sub("", value.lower())


def name_tokens(value: str) -> set[str]:
    """Lower-case word tokens of a name ('node-exporter' -> {'node', 'exporter'})."""
    return {t for t in _SPLIT.split(value.lower()) if t}


@dataclass
class QueryNames:
    """The exact names a query carries: alert/metric/service names and name-like label values."""

    exact: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)


def query_names(query: RetrievalQuery) -> QueryNames:
    """Collect normalized names from the query terms, service and name-like labels."""
    values = list(query.terms)
    values += [query.labels[k] for k in _NAME_KEYS if query.labels.get(k)]
    names = QueryNames()
    for value in values:
        if value and norm_name(value):
            names.exact.add(norm_name(value))
            names.tokens |= name_tokens(value)
    for value in (query.service, query.labels.get("service")):
        if value:
            names.services.add(norm_name(value))
    return names


def doc_names(meta: dict[str, Any]) -> set[str]:
    """Names that identify a document: file stem, title, first heading, front-matter alerts."""
    cached = meta.get("_names")
    if cached is not None:
        return cached
    raw = [meta.get("stem", ""), meta.get("title", ""), meta.get("h1", ""),
           *meta.get("alerts", [])]
    return {norm_name(v) for v in raw if v and norm_name(v)}


def service_names(meta: dict[str, Any]) -> set[str]:
    """Normalized front-matter services of a document."""
    cached = meta.get("_services")
    if cached is not None:
        return cached
    return {norm_name(s) for s in meta.get("services", [])}


def prepare(meta: dict[str, Any]) -> dict[str, Any]:
    """Precompute the name sets used on every query (kept in memory only)."""
    meta["_names"] = doc_names({k: v for k, v in meta.items() if k != "_names"})
    meta["_services"] = {norm_name(s) for s in meta.get("services", [])}
    return meta


def boost_for(meta: dict[str, Any], names: QueryNames) -> tuple[float, list[str]]:
    """Exact-match boost for a document and the reasons (alert name, service, folder)."""
    unit = 1.0 / (RRF_K + 1)
    boost, reasons = 0.0, []
    if names.exact & doc_names(meta) and not meta.get("is_index"):  # an index names a folder
        boost += EXACT_BOOST * unit
        reasons.append("name")
    if service_names(meta) & (names.services | names.exact):
        boost += SERVICE_BOOST * unit
        reasons.append("service")
    folders = [f for f in meta.get("folders", []) if f]
    if any(name_tokens(f) and name_tokens(f) <= names.tokens for f in folders):
        boost += FOLDER_BOOST * unit
        reasons.append("folder")
    return boost, reasons


def rrf(rankings: Iterable[tuple[list[str], float]]) -> dict[str, float]:
    """Reciprocal-rank fusion of ranked id lists (each with a weight)."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids):
            fused[item] = fused.get(item, 0.0) + weight / (RRF_K + rank + 1)
    return fused


def first_per_doc(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """From ranked (chunk_id, doc_id) pairs: doc ids in first-seen order and each best chunk."""
    order: list[str] = []
    best: dict[str, str] = {}
    for chunk_id, doc_id in pairs:
        if doc_id not in best:
            best[doc_id] = chunk_id
            order.append(doc_id)
    return order, best


def display_score(similarity: float, fused: float, reasons: list[str]) -> float:
    """A 0..1 relevance for people and the reasoner: cosine similarity of the best chunk,
    fused rank strength, and a bonus for an exact name match."""
    strength = min(1.0, fused * (RRF_K + 1) / 3)
    return min(1.0, 0.55 * similarity + 0.45 * strength + (0.3 if "name" in reasons else 0.0))
