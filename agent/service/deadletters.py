"""Dead letters: request bodies the service refused, kept (redacted, truncated, bounded) for review.

Senders do not retry a 4xx, so without this table a malformed webhook would be lost silently.
Secrets are masked and bodies cut to `max_body_chars`; only the newest `max_rows` rows are kept.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.kernel.redact import redact

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, route TEXT NOT NULL,
  status INTEGER NOT NULL, field TEXT, error TEXT NOT NULL, size INTEGER NOT NULL,
  body TEXT NOT NULL);
"""


@dataclass
class DeadLetter:
    """One refused body with why it was refused."""

    id: int
    received_at: str
    route: str
    status: int
    field: str | None
    error: str
    size: int
    body: str


class DeadLetters:
    """The bounded dead-letter table in the shared database."""

    def __init__(self, conn: sqlite3.Connection, max_rows: int = 1000,
                 max_body_chars: int = 8192, lock: threading.RLock | None = None) -> None:
        self.conn, self.max_rows, self.max_body_chars = conn, max_rows, max_body_chars
        self._lock = lock or threading.RLock()  # shared by every user of `conn`
        with self._lock:
            conn.executescript(_SCHEMA)

    def add(self, route: str, status: int, error: str, body: bytes, field: str | None = None,
            size: int | None = None) -> int:
        """Keep a refused body (redacted and truncated); return its id."""
        text = body[: self.max_body_chars * 4].decode("utf-8", errors="replace")
        text = redact(text[: self.max_body_chars])
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            cur = self.conn.execute(
                "INSERT INTO service_dead_letters (received_at, route, status, field, error, "
                "size, body) VALUES (?,?,?,?,?,?,?)",
                (now, route, status, field, redact(error)[:2000],
                 len(body) if size is None else size, text))
            row_id = int(cur.lastrowid or 0)
            self.conn.execute("DELETE FROM service_dead_letters WHERE id <= ?",
                              (row_id - self.max_rows,))
            return row_id

    def recent(self, limit: int = 50) -> list[DeadLetter]:
        """The newest refused bodies first."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT id, received_at, route, status, field, error, size, body "
                "FROM service_dead_letters ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [DeadLetter(*tuple(r)) for r in rows]
