"""Readiness checks for `GET /readyz` (distinct from liveness, `GET /healthz`).

Liveness says the process should not be restarted; readiness says it should get traffic now.
A serve process is ready when its database answers and is writable, its decision worker runs
(when it was started with one), and its knowledge base answers (Chroma server mode included).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from agent.service.state import Service

log = logging.getLogger(__name__)
PASSING = frozenset({"ok", "disabled", "disabled (ingest only)"})


def _db(service: Service) -> str:
    try:
        with service.lock:
            row = service.conn.execute("PRAGMA database_list").fetchone()
            service.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        path = row[2] if row else ""
        if path and not os.access(Path(path).parent, os.W_OK):
            return "error: database folder is not writable"
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _worker(service: Service) -> str:
    if not service.options.decide:
        return "disabled (ingest only)"
    if not service.options.background:
        return "disabled"
    return "ok" if service.worker.alive else "error: decision worker not running"


def _knowledge(service: Service) -> str:
    retriever = service.pipeline.knowledge
    stats = getattr(retriever, "stats", None)
    if retriever is None or stats is None:
        return "disabled"
    try:
        stats()
        return "ok"
    except Exception as exc:
        log.warning("knowledge base not ready", extra={"error": str(exc)})
        return f"error: {type(exc).__name__}"


def readiness(service: Service) -> dict[str, str]:
    """Each check's state: "ok", "disabled" (not configured) or "error: ..."."""
    return {"db": _db(service), "worker": _worker(service), "knowledge": _knowledge(service)}
