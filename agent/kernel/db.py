"""Opening the shared SQLite database (WAL, busy timeout) that every subsystem writes to."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating folders) a SQLite database safe for several worker processes.

    `":memory:"` gives a private in-memory database, as evals use for a clean state per case.
    """
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, timeout=30, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    if target != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn
