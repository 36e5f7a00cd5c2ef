"""The service inbox: acked signals not yet decided, with their lane and the accepting process.

A row is written in the same transaction as the signal (the group commit), so a 202 always has
one; the worker deletes it once the signal's decision is stored. After a crash, the next
`triage serve` on the same --home takes over the rows (and in-progress claims) of processes
that are gone, at once, instead of waiting for a claim lease or an orphan scan's grace period.
Owners are named `w:<host>:<pid>:<random>`; a process on this host whose pid no longer runs
(or whose pid is now ours) is gone.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid

from agent.kernel.owner import process_gone

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_inbox (
  signal_id TEXT PRIMARY KEY, lane INTEGER NOT NULL, owner TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS service_inbox_owner ON service_inbox(owner, lane);
CREATE INDEX IF NOT EXISTS service_inbox_lane ON service_inbox(lane, at);
"""


def new_owner() -> str:
    """A worker id that names this host and process."""
    return f"w:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str, me: str) -> bool:
    """True when `owner` was a process on this host that no longer runs."""
    parts = owner.split(":")
    if owner == me or len(parts) != 4 or parts[0] != "w" or not parts[2].isdigit():
        return False
    # our pid under another id: the process before us (a container restart), so gone
    return process_gone(parts[1], int(parts[2]), ours=False)


def create_inbox(conn: sqlite3.Connection) -> None:
    """Create the inbox table (idempotent)."""
    conn.executescript(_SCHEMA)


def add_rows(conn: sqlite3.Connection, rows: list[tuple[str, int]], owner: str) -> None:
    """Inbox rows for newly stored signals, inside the caller's transaction."""
    now = time.time()
    conn.executemany("INSERT OR IGNORE INTO service_inbox VALUES (?, ?, ?, ?)",
                     [(sid, lane, owner, now) for sid, lane in rows])


class Inbox:
    """Reads and trims the inbox on its own connection."""

    def __init__(self, conn: sqlite3.Connection, owner: str) -> None:
        self.conn, self.owner = conn, owner
        self._lock = threading.Lock()
        with self._lock:
            create_inbox(conn)

    def done(self, signal_id: str) -> None:
        """The signal is decided (or was already): drop its row."""
        with self._lock:
            self.conn.execute("DELETE FROM service_inbox WHERE signal_id = ?", (signal_id,))

    def adopt(self) -> list[tuple[str, int]]:
        """Take over the rows of processes that are gone; all rows now ours, by lane."""
        with self._lock:
            owners = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT owner FROM service_inbox WHERE owner != ?", (self.owner,))]
            gone = [o for o in owners if owner_gone(o, self.owner)]
            if gone:
                marks = ",".join("?" * len(gone))
                self.conn.execute(f"UPDATE service_inbox SET owner = ? WHERE owner IN ({marks})",
                                  (self.owner, *gone))
                self.conn.execute(f"UPDATE service_claims SET state = 'retry' WHERE "
                                  f"state = 'claimed' AND worker IN ({marks})", tuple(gone))
            rows = self.conn.execute(
                "SELECT signal_id, lane FROM service_inbox WHERE owner = ? ORDER BY lane, at",
                (self.owner,)).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def waiting(self, limit: int, below_lane: int | None = None) -> list[tuple[str, int]]:
        """Rows other processes accepted that nobody is deciding (no claim, or one released
        for a retry), by lane then age, only lanes under `below_lane` when given: the work an
        ingest-only process leaves to deciders."""
        lanes = "" if below_lane is None else " AND i.lane < ?"
        args = (self.owner,) + (() if below_lane is None else (below_lane,)) + (limit,)
        with self._lock:
            rows = self.conn.execute(
                "SELECT i.signal_id, i.lane FROM service_inbox i LEFT JOIN service_claims c "
                "ON c.signal_id = i.signal_id WHERE i.owner != ? AND (c.signal_id IS NULL OR "
                f"c.state = 'retry'){lanes} ORDER BY i.lane, i.at LIMIT ?", args).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def count(self) -> int:
        """Rows in the inbox (all processes)."""
        with self._lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM service_inbox").fetchone()[0])


class CachedCount:
    """The inbox's row count re-read at most every `max_age_s`: the backlog an ingest-only
    process sheds load on (every process's undecided signals), without a query per request."""

    def __init__(self, inbox: Inbox, max_age_s: float = 0.25) -> None:
        self.inbox, self.max_age_s = inbox, max_age_s
        self._value, self._at = 0, float("-inf")

    def __call__(self) -> int:
        """The latest count (re-read when older than `max_age_s`)."""
        now = time.monotonic()
        if now - self._at > self.max_age_s:
            self._value, self._at = self.inbox.count(), now
        return self._value
