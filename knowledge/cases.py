"""Labeled past cases (CONTRACTS §5 lines) as history: case text, labels, label agreement."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from agent.kernel.redact import redact
from knowledge.ranking import norm_name
from knowledge.types import CaseHit, CaseParser

# label keys that say *what* fired or *where* (not which instance): compared between cases
AGREEMENT_KEYS = ("alertname", "service", "job", "namespace", "container", "app", "component",
                  "source", "__name__", "program", "category", "team")


@dataclass
class CaseRecord:
    """A case ready to store: id, text to embed, expected labels and the signal's labels."""

    case_id: str
    text: str
    labels: dict[str, Any]
    signal_labels: dict[str, str]


def load_cases(source: str | Path | Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Read JSON Lines case objects from a file path, or pass an iterable through."""
    if isinstance(source, str | Path):
        cases = []
        with open(source, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        cases.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{source}:{number}: invalid JSON ({exc.msg})") from None
        return cases
    return list(source)


def case_text(title: str, text: str) -> str:
    """The text a case is embedded and matched by, built like the graph's retrieval query."""
    return f"{title}\n{text}".strip() if text and text != title else title.strip()


def case_records(source: str | Path | Iterable[dict[str, Any]],
                 parse: CaseParser) -> list[CaseRecord]:
    """Parse each case's input payload into its signal(s) with `parse`; keep the expected labels."""
    records: list[CaseRecord] = []
    for position, case in enumerate(load_cases(source)):
        if not isinstance(case, dict) or not isinstance(case.get("input"), dict):
            raise ValueError(f"case {position + 1}: needs an 'input' object")
        case_id = str(case.get("id") or f"case-{position + 1}")
        expected = case.get("expected") or {}
        inp = case["input"]
        signals = parse(inp, case_id)
        for index, signal in enumerate(signals):
            sid = case_id if len(signals) == 1 else f"{case_id}#{index}"
            records.append(CaseRecord(
                case_id=sid, text=redact(case_text(signal.title, signal.text)),
                labels=dict(expected), signal_labels=signal.label_view()))
    return records


def label_agreement(query: dict[str, str], case: dict[str, str]) -> float:
    """Share of the query's name-like labels (alertname, service, job…) the case has equal."""
    keys = [k for k in AGREEMENT_KEYS if query.get(k)]
    if not keys:
        return 0.0
    same = sum(1 for k in keys if case.get(k) and norm_name(case[k]) == norm_name(query[k]))
    return same / len(keys)


def score_cases(query_labels: dict[str, str], candidates: list[str], sims: dict[str, float],
                stored: dict[str, dict[str, Any]], k: int, label_weight: float) -> list[CaseHit]:
    """Blend cosine similarity with label agreement and return the best `k` cases."""
    scored = []
    for cid in candidates:
        if cid in stored:
            agree = label_agreement(query_labels, stored[cid]["signal_labels"])
            sim = max(0.0, sims.get(cid, 0.0))
            scored.append(((1 - label_weight) * sim + label_weight * agree, cid))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [CaseHit(id=cid, score=round(score, 4), text=stored[cid]["text"][:500],
                    labels=stored[cid]["labels"]) for score, cid in scored[:k]]


class StoredVectors(Protocol):
    """A vector collection that can count and list its embeddings (knowledge.vectors)."""

    def count(self) -> int:
        """Number of stored items."""
        ...

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every id and its embedding."""
        ...


class CaseVectors:
    """Past-case embeddings as one unit-length matrix in memory: a query is one matrix product
    (about 1 ms for 10,000 cases), and stored texts are never embedded again."""

    def __init__(self, index: Callable[[], StoredVectors]) -> None:
        """`index` returns the case collection (called on first use: opening it is lazy)."""
        self._index = index
        self._cache: tuple[int, list[str], np.ndarray, dict[str, int]] | None = None

    def invalidate(self) -> None:
        """Forget the matrix (after this process stored cases)."""
        self._cache = None

    def get(self) -> tuple[list[str], np.ndarray, dict[str, int]]:
        """(ids, matrix, id → row), reloaded when the stored count changed."""
        index = self._index()
        count = index.count()
        if self._cache is None or self._cache[0] != count:
            ids, matrix = index.all_vectors()
            if len(matrix):
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                matrix = matrix / np.where(norms == 0, 1.0, norms)
            self._cache = (count, ids, matrix, {c: i for i, c in enumerate(ids)})
        _, ids, matrix, row = self._cache
        return ids, matrix, row
