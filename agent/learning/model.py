"""The numpy inference path: multinomial logistic heads with temperature calibration (.npz)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.learning.paths import WEIGHTS


@dataclass(frozen=True)
class Head:
    """One softmax head: standardise, W·x + b, divide by the calibrated temperature."""

    name: str
    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    temperature: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Uncalibrated class scores for rows of features."""
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for rows of features (rows sum to 1)."""
        z = self.logits(np.atleast_2d(x)) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def save_heads(path: Path, heads: list[Head], meta: dict) -> None:
    """Write heads (and a JSON metadata blob) into one .npz file."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta))}
    for h in heads:
        arrays[f"{h.name}.classes"] = np.array(h.classes)
        arrays[f"{h.name}.mean"] = h.mean.astype(np.float32)
        arrays[f"{h.name}.scale"] = h.scale.astype(np.float32)
        arrays[f"{h.name}.weights"] = h.weights.astype(np.float32)
        arrays[f"{h.name}.bias"] = h.bias.astype(np.float32)
        arrays[f"{h.name}.temperature"] = np.array(h.temperature, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_heads(path: Path = WEIGHTS) -> tuple[dict[str, Head], dict]:
    """Read every head from an .npz written by save_heads (no pickles)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        names = sorted({k.split(".")[0] for k in data.files if k != "meta"})
        heads = {n: Head(n, tuple(str(c) for c in data[f"{n}.classes"]), data[f"{n}.mean"],
                         data[f"{n}.scale"], data[f"{n}.weights"], data[f"{n}.bias"],
                         float(data[f"{n}.temperature"])) for n in names}
    return heads, meta
