"""Calibration: a head's temperature, and the metrics that say how honest a confidence is."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature that minimises held-out negative log-likelihood (grid + refine)."""
    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 80))
    best = float(min(grid, key=nll))
    fine = np.linspace(best * 0.8, best * 1.25, 40)
    return float(min(fine, key=nll))


def ece(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: |accuracy − confidence| per equal-width bin, weighted."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return 0.0
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() / conf.size * abs(ok[mask].mean() - conf[mask].mean())
    return float(total)


def brier(confidence: Sequence[float], correct: Sequence[bool]) -> float:
    """Mean squared gap between confidence and being right (0 is perfect)."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    return float(((conf - ok) ** 2).mean()) if conf.size else 0.0


def auroc(confidence: Sequence[float], correct: Sequence[bool]) -> float | None:
    """How well confidence ranks right above wrong decisions (Mann-Whitney); None if one-sided."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    pos, neg = conf[ok], conf[~ok]
    if pos.size == 0 or neg.size == 0:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(order.size, dtype=float)
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < values.size:  # average ranks over ties
        j = i
        while j + 1 < values.size and values[j + 1] == values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:pos.size].sum() - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size))


def reliability(confidence: Sequence[float], correct: Sequence[bool],
                edges: Sequence[float] = BUCKETS) -> list[dict[str, float]]:
    """Per confidence bucket: its range, how many decisions, their mean confidence and accuracy."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf >= lo) & ((conf < hi) | (hi >= 1.0) & (conf <= hi))
        n = int(mask.sum())
        rows.append({"low": lo, "high": hi, "n": n,
                     "confidence": float(conf[mask].mean()) if n else 0.0,
                     "accuracy": float(ok[mask].mean()) if n else 0.0})
    return rows
