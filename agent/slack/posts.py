"""At-most-once Slack posts: a claim per delivery or notification key, and where it went.

A claim also names the process that made it (host, pid, a per-process token), so a claim whose
process died before it recorded where the message went can be taken over by one other process,
which then asks Slack whether the message exists (`agent.slack.notify`) instead of guessing.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta

from agent.kernel.db import reopen
from agent.kernel.owner import process_gone

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_posts (
  key TEXT PRIMARY KEY, channel TEXT, ts TEXT, claimed_at TEXT NOT NULL, host TEXT, pid INTEGER,
  owner TEXT);
CREATE TABLE IF NOT EXISTS slack_threads (
  channel TEXT NOT NULL, thread_ts TEXT NOT NULL, signal_id TEXT NOT NULL,
  PRIMARY KEY (channel, thread_ts));
"""
HOST = socket.gethostname()
OWNER = uuid.uuid4().hex  # this process (a pid can come back after a container restart)
LEASE = timedelta(minutes=5)  # a claim from another host is taken over only after this


def _owner_gone(host: str | None, pid: int | None, owner: str | None, claimed_at: str,
                now: datetime) -> bool:
    """True when the claiming process is known dead (this host) or its lease ran out."""
    if host != HOST or not pid:
        return datetime.fromisoformat(claimed_at) < now - LEASE
    return process_gone(host, pid, owner == OWNER)


class SlackPostLog:
    """Claims keys (Slack event ids, `notify:<signal>`) so a retry never posts twice."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = reopen(conn)
        self._lock = threading.RLock()
        with self._lock:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(slack_posts)")}
            for column, kind in (("host", "TEXT"), ("pid", "INTEGER"), ("owner", "TEXT")):
                if column not in columns:  # databases from before the owner columns
                    conn.execute(f"ALTER TABLE slack_posts ADD COLUMN {column} {kind}")

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed; False for every later (retried) attempt."""
        with self._lock:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO slack_posts (key, claimed_at, host, pid, owner) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, datetime.now(UTC).isoformat(), HOST, os.getpid(), OWNER))
        return cur.rowcount == 1

    def take_over(self, key: str) -> bool:
        """Claim `key` again when its claim was never recorded as posted and the process that
        made it is gone; True for exactly one caller (who must check Slack before posting)."""
        now = datetime.now(UTC)
        with self._lock:
            row = self.conn.execute(
                "SELECT channel, ts, claimed_at, host, pid, owner FROM slack_posts WHERE key = ?",
                (key,)).fetchone()
            if row is None or (row[0] and row[1]) or not _owner_gone(*row[3:6], row[2], now):
                return False
            cur = self.conn.execute(
                "UPDATE slack_posts SET claimed_at = ?, host = ?, pid = ?, owner = ? "
                "WHERE key = ? AND channel IS NULL AND claimed_at = ? AND owner IS ?",
                (now.isoformat(), HOST, os.getpid(), OWNER, key, row[2], row[5]))
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
