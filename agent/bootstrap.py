"""Assemble the live pipeline from settings: SQLite under --home, the KB, tools, the reasoner."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.pipeline import Pipeline, build_pipeline

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)


def open_kb(settings: Settings, config: OrgConfig) -> KnowledgeBase:
    """Open the knowledge base under --home (or the Chroma server named in settings/config)."""
    from knowledge.factory import open_kb as open_knowledge

    return open_knowledge(settings, config.knowledge)


def open_tools(settings: Settings, config: OrgConfig, db_path: Path):
    """The tool runtime (registry, policy, approvals, ledger), or None when disabled."""
    if not config.tools.enabled:
        return None
    from tools.runtime import ToolRuntime

    return ToolRuntime.open(db_path, config.tools, config)


def open_pipeline(settings: Settings, config: OrgConfig, *, db_path: Path | None = None,
                  kb: object | None = None, use_kb: bool = True,
                  use_tools: bool = True) -> Pipeline:
    """The pipeline the CLI and the service run: durable stores and a SQLite checkpointer."""
    path = db_path or settings.db_path
    retriever = kb if kb is not None else (open_kb(settings, config) if use_kb else None)
    tools = open_tools(settings, config, path) if use_tools else None
    return build_pipeline(config=config, settings=settings, db_path=path, checkpointer="sqlite",
                          retriever=retriever, reasoner=settings.reasoner, tools=tools)
