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
HEADING_BOOST = 1.5  # full coverage of a document's name words by the query text
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
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
    meta["_heading"] = heading_words({k: v for k, v in meta.items() if k != "_heading"})
    meta["_folders"] = folder_tokens({k: v for k, v in meta.items() if k != "_folders"})
    return meta


def folder_tokens(meta: dict[str, Any]) -> list[set[str]]:
    """The word tokens of each of a document's folders, empty ones left out (cached)."""
    cached = meta.get("_folders")
    if cached is not None:
        return cached
    return [t for f in meta.get("folders", []) if f and (t := name_tokens(f))]


def heading_idf(metas: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Inverse document frequency of name words across documents (rare words weigh more)."""
    import math

    counts: dict[str, int] = {}
    n = 0
    for meta in metas:
        n += 1
        for word in set().union(*heading_words(meta)):
            counts[word] = counts.get(word, 0) + 1
    return {w: math.log(1 + n / c) for w, c in counts.items()}


def _stem(word: str) -> str:
    """A light plural/verb stem so 'targets' meets 'Target' and 'fills' meets 'Fill'."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def words(text: str) -> set[str]:
    """Lower-case stemmed words of a text, identifiers split (KubeAPIDown → kube, api, down)."""
    out: set[str] = set()
    for token in _WORD.findall(text):
        out.add(_stem(token.lower()))
        out.update(_stem(p.lower()) for p in _CAMEL.findall(token))
    return out


_STOP = {"a", "an", "and", "or", "the", "of", "for", "in", "on", "to", "with", "is", "by"}


def heading_words(meta: dict[str, Any]) -> list[set[str]]:
    """The word sets of a document's names: file stem, title and first heading (cached)."""
    cached = meta.get("_heading")
    if cached is not None:
        return cached
    found = [words(meta.get(key, "") or "") - _STOP for key in ("stem", "title", "h1")]
    return [w for w in found if w]


def _covered(word: str, query: set[str]) -> bool:
    if word in query:
        return True
    return len(word) >= 6 and any(q.startswith(word) for q in query)  # config → configuration


def heading_coverage(meta: dict[str, Any], query: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of a document name's words that the query text contains (the best
    of its file stem, title and first heading)."""
    best = 0.0
    for name in heading_words(meta) if query else []:
        total = sum(idf.get(w, 1.0) for w in name)
        if total:
            best = max(best, sum(idf.get(w, 1.0) for w in name if _covered(w, query)) / total)
    return best


def boost_for(meta: dict[str, Any], names: QueryNames, query_words: set[str] | None = None,
              idf: dict[str, float] | None = None) -> tuple[float, list[str]]:
    """Boost for a document and the reasons: exact alert name, service, folder, and how much
    of the document's name (file, title, heading) the query text covers."""
    unit = 1.0 / (RRF_K + 1)
    boost, reasons = 0.0, []
    if query_words and not meta.get("is_index"):
        coverage = heading_coverage(meta, query_words, idf or {})
        if coverage > 0:
            boost += HEADING_BOOST * unit * coverage * coverage
            if coverage >= 0.5:
                reasons.append("heading")
    if names.exact & doc_names(meta) and not meta.get("is_index"):  # an index names a folder
        boost += EXACT_BOOST * unit
        reasons.append("name")
    if service_names(meta) & (names.services | names.exact):
        boost += SERVICE_BOOST * unit
        reasons.append("service")
    if any(tokens <= names.tokens for tokens in folder_tokens(meta)):
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


def url_path_key(url: str) -> str:
    """The path of a runbook URL, lower-cased, without scheme, host, query, anchor, extension."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip().lower()).split("#")[0].split("?")[0]
    return re.sub(r"\.(md|markdown|html?|txt)$", "", path.rstrip("/"))


def url_matches(doc_id: str, url_key: str) -> bool:
    """True when a document id (folder/stem) is the tail of the runbook URL's path."""
    key = re.sub(r"\.(md|markdown|txt)$", "", doc_id.lower())
    return bool(url_key) and (url_key == key or url_key.endswith("/" + key))

