"""The learned heads at run time: embed the signal's text once, answer each head in numpy."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from agent.kernel.signal import Signal
from agent.learning.features import feature_row, text_for
from agent.learning.model import WEIGHTS, Head, load_heads

log = logging.getLogger(__name__)


class TextEmbedder(Protocol):
    """Anything that turns texts into L2-normalised vectors (knowledge.embedder.Embedder)."""

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text."""
        ...


@dataclass(frozen=True)
class Prediction:
    """A head's answer: the most probable class, its calibrated probability, all classes."""

    label: str
    probability: float
    probabilities: dict[str, float]


class LearnedJudge:
    """Loads the shipped heads; predicts for one signal with a small embedding cache."""

    def __init__(self, heads: dict[str, Head], meta: dict, embedder: TextEmbedder,
                 cache_size: int = 2048) -> None:
        """Heads and the embedder are injected (tests use small ones)."""
        self.heads = heads
        self.meta = meta
        # heads the training run promoted (beat majority and rules on an unseen source);
        # a hand-built judge without that record uses every head it is given
        self.enabled = set(meta["promoted"]) if "promoted" in meta else set(heads)
        self._embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def features(self, signal: Signal) -> np.ndarray:
        """[embedding, structured, hashed words] for one signal, as the heads were trained."""
        text = text_for(signal)
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
        if vector is None:
            vector = self._embedder.embed([text])[0].astype(np.float32)
            with self._lock:
                self._cache[text] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return feature_row(vector, signal, text)

    def predict(self, head: str, signal: Signal) -> Prediction | None:
        """The head's calibrated answer, or None when that head is not shipped or not promoted
        (the caller then keeps its rule)."""
        model = self.heads.get(head)
        if model is None or head not in self.enabled:
            return None
        probs = model.proba(self.features(signal))[0]
        best = int(np.argmax(probs))
        return Prediction(model.classes[best], float(probs[best]),
                          {c: float(p) for c, p in zip(model.classes, probs, strict=True)})


@lru_cache(maxsize=1)
def _shared(path: str) -> LearnedJudge | None:
    from knowledge.embedder import default_embedder

    file = Path(path)
    if not file.is_file():
        log.warning("no learned heads shipped; rules only", extra={"path": path})
        return None
    heads, meta = load_heads(file)
    return LearnedJudge(heads, meta, default_embedder())


def shared_judge(path: Path = WEIGHTS) -> LearnedJudge | None:
    """The process-wide judge over the shipped weights (None when they are absent)."""
    return _shared(str(path))
