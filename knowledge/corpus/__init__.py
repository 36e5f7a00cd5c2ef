"""The bundled starter corpus (Acme Shop runbooks and postmortems) and its idempotent loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.ingest import IngestReport

CORPUS_DIR = Path(__file__).parent


def ensure_bundled(kb: KnowledgeBase, prune: bool = True,
                   progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest the bundled corpus (ids like `runbooks/infra/HighCPUUsage.md`); unchanged files
    are skipped, so calling it on every start is cheap."""
    return kb.ingest_path(CORPUS_DIR, kind="auto", prune=prune, progress=progress)
