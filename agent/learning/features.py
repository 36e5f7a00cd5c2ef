"""Feature extraction: the text a head reads and the structured features beside its embedding."""

from __future__ import annotations

import re
import zlib

import numpy as np

from agent.kernel.signal import Signal
from agent.kernel.taxonomy import SOURCES

MAX_CHARS = 600
HASH_DIM = 4096  # hashed word and word-pair counts beside the embedding
_TOKEN = re.compile(r"[a-z][a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
STRUCTURED = (*(f"source={s}" for s in SOURCES), "has_labels", "n_labels", "text_len",
              "has_digits_ratio", "upper_ratio")


def split_name(name: str) -> str:
    """'KubePodCrashLooping' → 'Kube Pod Crash Looping' (alert names carry meaning)."""
    return _CAMEL.sub(" ", name).replace("_", " ")


def text_for(signal: Signal) -> str:
    """The text a head embeds: alert name (split), title and body, trimmed."""
    name = signal.labels.get("alertname", "")
    parts = [split_name(name)] if name else []
    parts += [signal.title, signal.text if signal.text != signal.title else ""]
    text = " \n".join(p for p in parts if p).strip()
    return text[:MAX_CHARS] or " "


def structured(signal: Signal, text: str) -> np.ndarray:
    """Structured features of one signal, in STRUCTURED order."""
    out = np.zeros(len(STRUCTURED), dtype=np.float32)
    if signal.source in SOURCES:
        out[SOURCES.index(signal.source)] = 1.0
    base = len(SOURCES)
    n = len(signal.labels)
    out[base] = float(n > 0)
    out[base + 1] = min(n, 20) / 20.0
    out[base + 2] = min(len(text), MAX_CHARS) / MAX_CHARS
    letters = [c for c in text if c.isalnum()] or [" "]
    out[base + 3] = sum(c.isdigit() for c in letters) / len(letters)
    out[base + 4] = sum(c.isupper() for c in letters) / len(letters)
    return out


def hashed_words(text: str) -> np.ndarray:
    """Log-scaled, L2-normalised counts of words and word pairs hashed into HASH_DIM buckets."""
    tokens = _TOKEN.findall(split_name(text).lower())
    grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    out = np.zeros(HASH_DIM, dtype=np.float32)
    for gram in grams:
        out[zlib.crc32(gram.encode()) % HASH_DIM] += 1.0
    out = np.log1p(out)
    norm = float(np.linalg.norm(out))
    return out / norm if norm else out


def feature_row(vector: np.ndarray, signal: Signal, text: str) -> np.ndarray:
    """One row as every head reads it: [embedding, structured, hashed words]."""
    return np.concatenate([vector, structured(signal, text), hashed_words(text)])


def dense_width(dim: int) -> int:
    """How many leading columns (embedding + structured) are standardised before fitting."""
    return dim + len(STRUCTURED)
