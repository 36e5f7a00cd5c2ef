"""A light label head re-fitted on the organisation's labeled history (e.g. which team).

Ridge regression on one-hot labels over the stored case embeddings (one eigendecomposition,
closed form for every penalty), a softmax temperature for calibrated probabilities. The penalty
and temperature are chosen on the newest part of the history (ingest order), never on the case
being decided; the head is only offered when it beats the majority label on that newest part.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from knowledge.types import LabelGuess

PENALTIES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
VALIDATION_SHARE = 0.2  # the newest fifth of the history chooses penalty and temperature
MIN_CASES = 40  # fewer labeled cases: no head (the nearest-case vote still answers)
MIN_PER_LABEL = 3  # values seen fewer times are not learnable from the history


@dataclass(frozen=True)
class LabelHead:
    """A fitted head: label values, weights (dim + 1 × values) and its validation figures."""

    label: str
    values: tuple[str, ...]
    weights: np.ndarray
    temperature: float
    validated_accuracy: float
    baseline_accuracy: float
    trained_on: int

    def guess(self, vector: np.ndarray) -> LabelGuess:
        """Calibrated probability of every value for one unit-length query embedding."""
        unit = vector.astype(np.float64)
        norm = float(np.linalg.norm(unit))
        scores = np.append(unit / norm if norm else unit, 1.0) @ self.weights
        z = scores / self.temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        return LabelGuess(label=self.label,
                          probabilities={v: float(x) for v, x in zip(self.values, p, strict=True)},
                          validated_accuracy=self.validated_accuracy,
                          baseline_accuracy=self.baseline_accuracy, cases=self.trained_on)


def _solutions(x: np.ndarray, y: np.ndarray) -> Callable[[float], np.ndarray]:
    """Ridge weights for any penalty from one eigendecomposition of the Gram matrix."""
    a = np.hstack([x, np.ones((len(x), 1))])
    evals, evecs = np.linalg.eigh(a.T @ a)
    projected = evecs.T @ (a.T @ y)
    return lambda penalty: evecs @ (projected / (evals + penalty)[:, None])


def _scores(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1))]) @ w


def _nll(scores: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(truth)), truth].mean())


def fit_label_head(label: str, matrix: np.ndarray, values: list[str | None]) -> LabelHead | None:
    """Fit on labeled rows (in ingest order); None when too few or no better than the majority."""
    keep = [i for i, v in enumerate(values) if v]
    counts = Counter(values[i] for i in keep)
    keep = [i for i in keep if counts[values[i]] >= MIN_PER_LABEL]
    names = tuple(sorted({str(values[i]) for i in keep}))
    if len(keep) < MIN_CASES or len(names) < 2:
        return None
    x = matrix[keep].astype(np.float64)
    index = {v: n for n, v in enumerate(names)}
    truth = np.array([index[str(values[i])] for i in keep])
    onehot = np.eye(len(names))[truth]
    cut = int(len(keep) * (1 - VALIDATION_SHARE))
    solve = _solutions(x[:cut], onehot[:cut])
    majority = Counter(truth[:cut].tolist()).most_common(1)[0][0]
    baseline = float(np.mean(truth[cut:] == majority))
    # ties go to the stronger penalty (the simpler model)
    best = max(PENALTIES, key=lambda pen: (float(np.mean(
        _scores(x[cut:], solve(pen)).argmax(axis=1) == truth[cut:])), pen))
    held_scores = _scores(x[cut:], solve(best))
    accuracy = float(np.mean(held_scores.argmax(axis=1) == truth[cut:]))
    if accuracy <= baseline:
        return None
    temperature = min(TEMPERATURES, key=lambda t: _nll(held_scores, truth[cut:], t))
    weights = _solutions(x, onehot)(best)
    return LabelHead(label, names, weights, temperature, round(accuracy, 4), round(baseline, 4),
                     len(keep))


class CaseHeads:
    """Heads per label, re-fitted when the number of stored cases changed."""

    def __init__(self, rows: Callable[[], tuple[list[str], np.ndarray, dict[str, int]]],
                 ordered_labels: Callable[[str], list[tuple[str, str | None]]]) -> None:
        """`rows`: (ids, unit matrix, id → row) of the case vectors; `ordered_labels(label)`:
        (case id, value) for every stored case in ingest order."""
        self._rows = rows
        self._ordered = ordered_labels
        self._lock = threading.Lock()
        self._heads: dict[str, tuple[int, LabelHead | None]] = {}

    def head(self, label: str) -> LabelHead | None:
        """The current head for `label` (fitted on first use after the history changed)."""
        ids, matrix, row = self._rows()
        with self._lock:
            cached = self._heads.get(label)
            if cached is not None and cached[0] == len(ids):
                return cached[1]
            ordered = [(row[c], v) for c, v in self._ordered(label) if c in row]
            fitted = None
            if ordered:
                fitted = fit_label_head(label, matrix[[r for r, _ in ordered]],
                                        [v for _, v in ordered])
            self._heads[label] = (len(ids), fitted)
            return fitted
