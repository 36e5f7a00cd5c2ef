"""Build the run's knowledge base once (documents and labeled past cases) in a temp folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent.config.sections import KnowledgeSection
from evals.dataset import load_dataset


class KnowledgeBaseUnavailable(RuntimeError):
    """The knowledge subsystem (knowledge.base) is not installed or not finished yet."""


def build_kb(folder: Path, docs: Sequence[Path], history: Path | None,
             section: KnowledgeSection | None = None) -> Path:
    """Ingest `docs` (kind auto) and `history` cases into a fresh KB at `folder`; return it."""
    try:
        from knowledge.base import KnowledgeBase
    except ImportError as exc:
        raise KnowledgeBaseUnavailable("knowledge base not available "
                                       "(knowledge.base is missing)") from exc
    kb = KnowledgeBase.open(folder, section=section)
    for path in docs:
        kb.ingest_path(path, kind="auto")
    if history is not None:
        load_dataset(history)  # fail early, naming the line, on a malformed history file
        kb.ingest_cases(history)
    close = getattr(kb, "close", None)
    if callable(close):
        close()
    return folder
