"""Build the run's knowledge base once (documents and labeled past cases) in a temp folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agent.config.org import OrgConfig
from agent.config.sections import KnowledgeSection
from evals.dataset import load_dataset


class KnowledgeBaseUnavailable(RuntimeError):
    """The knowledge subsystem (knowledge.base) is not installed or not finished yet."""


def build_kb(folder: Path, docs: Sequence[Path], history: Path | None,
             section: KnowledgeSection | None = None) -> Path:
    """Ingest `docs` (kind auto) and `history` cases into a fresh KB at `folder`; return it."""
    try:
        from agent.wiring import ingest_history, open_kb_at
    except ImportError as exc:
        raise KnowledgeBaseUnavailable(f"knowledge base not available ({exc})") from exc
    kb = open_kb_at(folder, OrgConfig(knowledge=section or KnowledgeSection()))
    for path in docs:
        kb.ingest_path(path, kind="auto")
    if history is not None:
        load_dataset(history)  # fail early, naming the line, on a malformed history file
        ingest_history(kb, history)
    close = getattr(kb, "close", None)
    if callable(close):
        close()
    return folder
