"""At-most-once Slack posts: a claim per delivery or notification key, and where it went."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

from agent.kernel.db import reopen

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_posts (
  key TEXT PRIMARY KEY, channel TEXT, ts TEXT, claimed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slack_threads (
  channel TEXT NOT NULL, thread_ts TEXT NOT NULL, signal_id TEXT NOT NULL,
  PRIMARY KEY (channel, thread_ts));
"""


class SlackPostLog:
    """Claims keys (Slack event ids, `notify:<signal>`) so a retry never posts twice."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = reopen(conn)
        self._lock = threading.RLock()
        with self._lock:
            conn.executescript(_SCHEMA)

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed; False for every later (retried) attempt."""
        with self._lock:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO slack_posts (key, claimed_at) VALUES (?, ?)",
                (key, datetime.now(UTC).isoformat()))
        return cur.rowcount == 1

    def record(self, key: str, channel: str, ts: str) -> None:
        """Remember the channel and message ts a claimed key was posted as."""
        with self._lock:
            self.conn.execute("UPDATE slack_posts SET channel = ?, ts = ? WHERE key = ?",
                              (channel, ts, key))

    def link_thread(self, channel: str, thread_ts: str, signal_id: str) -> None:
        """Remember that a thread discusses `signal_id` (the first link wins)."""
        with self._lock:
            self.conn.execute("INSERT OR IGNORE INTO slack_threads VALUES (?, ?, ?)",
                              (channel, thread_ts, signal_id))

    def thread_signal(self, channel: str, thread_ts: str) -> str | None:
        """The signal a thread discusses, or None."""
        row = self.conn.execute(
            "SELECT signal_id FROM slack_threads WHERE channel = ? AND thread_ts = ?",
            (channel, thread_ts)).fetchone()
        return row[0] if row else None

    def where(self, key: str) -> tuple[str, str] | None:
        """(channel, ts) of the message posted for `key`, or None."""
        row = self.conn.execute("SELECT channel, ts FROM slack_posts WHERE key = ?",
                                (key,)).fetchone()
        return (row[0], row[1]) if row and row[0] and row[1] else None
