"""Turn corpus examples into feature matrices with the product's own parser and embedder."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from agent.kernel.errors import SignalParseError
from agent.kernel.signal import Signal
from agent.learning.corpus.records import Example
from agent.learning.features import feature_row, text_for
from agent.learning.judge import TextEmbedder
from agent.signals.parse import parse_payload

RECEIVED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@dataclass
class Matrix:
    """Rows of features with labels, groups and sources, aligned by index."""

    x: np.ndarray
    labels: list[str]
    groups: list[str]
    sources: list[str]
    signals: list[Signal]

    def take(self, mask: np.ndarray) -> Matrix:
        """The rows where mask is true."""
        idx = np.flatnonzero(mask)
        return Matrix(self.x[idx], [self.labels[i] for i in idx], [self.groups[i] for i in idx],
                      [self.sources[i] for i in idx], [self.signals[i] for i in idx])


def to_signal(example: Example) -> Signal | None:
    """Parse an example's payload exactly as `triage run` would (first signal), None if bad."""
    counter = itertools.count(1)
    try:
        signals = parse_payload(example.payload, example.fmt, received_at=RECEIVED,
                                new_id=lambda: f"train-{next(counter)}")
    except SignalParseError:
        return None
    return signals[0] if signals else None


def featurize(examples: Sequence[Example], embedder: TextEmbedder,
              vectors: dict[str, np.ndarray] | None = None) -> Matrix:
    """Features for every parsable example; `vectors` caches embeddings by text across tasks."""
    vectors = {} if vectors is None else vectors
    rows: list[tuple[Example, Signal, str]] = []
    for ex in examples:
        sig = to_signal(ex)
        if sig is not None:
            rows.append((ex, sig, text_for(sig)))
    missing = sorted({t for _, _, t in rows if t not in vectors}, key=len)
    for start in range(0, len(missing), 4096):  # the embedder batches by length inside
        batch = missing[start:start + 4096]
        for text, vec in zip(batch, embedder.embed(batch), strict=True):
            vectors[text] = vec.astype(np.float32)
    x = np.stack([feature_row(vectors[t], s, t) for _, s, t in rows]) \
        if rows else np.zeros((0, 1), dtype=np.float32)
    return Matrix(x, [e.label for e, _, _ in rows], [e.group for e, _, _ in rows],
                  [e.source for e, _, _ in rows], [s for _, s, _ in rows])


def split_of(group: str, salt: str = "triage-v1") -> str:
    """Deterministic group split: 70 % train, 15 % calibration, 15 % test."""
    bucket = int(hashlib.sha256(f"{salt}:{group}".encode()).hexdigest()[:8], 16) % 20
    return "train" if bucket < 14 else ("calib" if bucket < 17 else "test")
