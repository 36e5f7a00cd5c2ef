"""Plain statistics used by the eval metrics: ratios, percentiles, per-class scores, confusion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def ratio(hits: int, total: int) -> float | None:
    """hits / total, or None when nothing was counted (a metric with no carrying case)."""
    return None if total == 0 else hits / total


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation (numpy's default); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class ClassScore:
    """Precision, recall and F1 of one class, with its support (true count)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


def per_class(truth: Sequence[str], pred: Sequence[str | None],
              labels: Sequence[str]) -> list[ClassScore]:
    """Per-class precision/recall/F1 (a zero denominator scores 0, as sklearn's zero_division=0)."""
    out = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if t == label and p == label)
        support = sum(1 for t in truth if t == label)
        predicted = sum(1 for p in pred if p == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append(ClassScore(label, precision, recall, f1, support, predicted))
    return out


def present_labels(truth: Sequence[str], pred: Sequence[str | None],
                   order: Sequence[str]) -> list[str]:
    """Classes seen in truth or predictions, in taxonomy order (unknown ones appended sorted)."""
    seen = {x for x in truth} | {p for p in pred if p is not None}
    known = [label for label in order if label in seen]
    return known + sorted(seen - set(order))


def macro_f1(truth: Sequence[str], pred: Sequence[str | None],
             order: Sequence[str]) -> float | None:
    """Unweighted mean F1 over the classes present in the expected labels; None if empty.

    A class that appears only in predictions is not averaged in (its F1 is 0 by definition and
    would punish one- or two-class sets twice); those predictions still cost the recall of the
    true class they were taken from."""
    if not truth:
        return None
    seen = set(truth)
    labels = [label for label in order if label in seen] + sorted(seen - set(order))
    scores = per_class(truth, pred, labels)
    return sum(s.f1 for s in scores) / len(scores)


def confusion(truth: Sequence[str], pred: Sequence[str | None],
              labels: Sequence[str]) -> list[list[int]]:
    """Confusion counts: rows = true label, columns = predicted label (+ a final "none" column)."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * (len(labels) + 1) for _ in labels]
    for t, p in zip(truth, pred, strict=True):
        if t not in index:
            continue
        col = index.get(p, len(labels)) if p is not None else len(labels)
        matrix[index[t]][col] += 1
    return matrix


def binary_pr(truth: Sequence[bool], pred: Sequence[bool]) -> tuple[float | None, float | None]:
    """(precision, recall) of the positive class; each None when its denominator is zero."""
    tp = sum(1 for t, p in zip(truth, pred, strict=True) if t and p)
    return ratio(tp, sum(1 for p in pred if p)), ratio(tp, sum(1 for t in truth if t))
