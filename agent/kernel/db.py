"""Opening the shared SQLite database (WAL, busy timeout) that every subsystem writes to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agent.kernel.write_turns import TurnTakingConnection


def open_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating folders) a SQLite database safe for several worker processes.

    Writes take turns with the process's bulk writer (`agent.kernel.write_turns`).

    `":memory:"` gives a private in-memory database, as evals use for a clean state per case.
    """
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, timeout=30, check_same_thread=False, isolation_level=None,
                           factory=TurnTakingConnection)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    if target != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def db_file(conn: sqlite3.Connection) -> str:
    """The file behind a connection ("" for an in-memory database)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else ""


def reopen(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A private connection to the same database file, so a component never joins another's
    open transaction; an in-memory database cannot be reopened, so it is `conn` itself."""
    path = db_file(conn)
    return open_db(path) if path else conn
