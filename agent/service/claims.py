"""Work claims on stored signals, so several workers and processes never decide one signal twice.

A worker claims a signal in one transaction that succeeds only when nobody holds a live claim
and the signal is not done. A claim is stale, and may be taken over, when its process is gone
(same host: the recorded pid is not running, or is this process under another worker id, as
after a container restart) or after the lease (other hosts). A signal is done when its claim
is: a decision row alone is not, since a process killed between `record` and `act`, or before
the listeners (Slack) were told, left a decision whose run must still be finished (issue #12).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.kernel.owner import HOST, process_gone

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_claims (
  signal_id TEXT PRIMARY KEY, worker TEXT NOT NULL, claimed_at REAL NOT NULL,
  attempts INTEGER NOT NULL, state TEXT NOT NULL, error TEXT, done_at REAL);
CREATE INDEX IF NOT EXISTS service_claims_state ON service_claims(state, claimed_at);
"""
# state: claimed (in progress) | done | retry (released after an error) | failed (gave up)
_OWN_WORKERS: set[str] = set()  # worker ids that claimed from this process


def _iso(epoch: float) -> str:
    """The stored form of a time (as `SignalStore` writes received_at)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat()


@dataclass
class ClaimInfo:
    """The claim row of one signal."""

    signal_id: str
    worker: str
    claimed_at: float
    attempts: int
    state: str
    error: str | None
    done_at: float | None = None


class ClaimBook:
    """Atomic claims over the shared SQLite database (one row per signal)."""

    def __init__(self, conn: sqlite3.Connection, lease_s: float = 300.0,
                 grace_s: float = 30.0) -> None:
        self.conn = conn
        self.lease_s = lease_s
        # an unclaimed signal younger than this may still be in another writer's hands
        # (`triage run` on the same --home decides without claiming), so scans leave it alone
        self.grace_s = grace_s
        self._lock = threading.RLock()
        with self._lock:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(service_claims)")}
            for column, kind in (("host", "TEXT"), ("pid", "INTEGER")):
                if column not in columns:
                    conn.execute(f"ALTER TABLE service_claims ADD COLUMN {column} {kind}")

    def _stale(self, row: sqlite3.Row | tuple, now: float) -> bool:
        """A `claimed` row whose worker died (its process is gone, or the lease ran out)."""
        _, worker, claimed_at, host, pid = tuple(row)
        return claimed_at < now - self.lease_s or process_gone(host, pid, worker in _OWN_WORKERS)

    def claim(self, signal_id: str, worker: str, now: float | None = None) -> bool:
        """Take the signal for `worker`; False when it is done, failed or held by a live claim.

        A decided signal is claimable only from a dead worker's claim (its run or its listeners
        may be unfinished); one decided without a claim (`triage run`) is left alone.
        """
        now = time.time() if now is None else now
        _OWN_WORKERS.add(worker)
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                taken = self._claim(signal_id, worker, now)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            return taken

    def _claim(self, signal_id: str, worker: str, now: float) -> bool:
        row = self.conn.execute("SELECT state, worker, claimed_at, host, pid FROM service_claims "
                                "WHERE signal_id = ?", (signal_id,)).fetchone()
        decided = self.conn.execute("SELECT 1 FROM decisions WHERE signal_id = ?",
                                    (signal_id,)).fetchone() is not None
        if row is None:
            if decided:
                return False
            self.conn.execute("INSERT INTO service_claims (signal_id, worker, claimed_at, "
                              "attempts, state, host, pid) VALUES (?, ?, ?, 1, 'claimed', ?, ?)",
                              (signal_id, worker, now, HOST, os.getpid()))
            return True
        state = row[0]
        if not (state == "retry" and (not decided or self._adopted(signal_id))
                or state == "claimed" and self._stale(row, now)):
            return False
        self.conn.execute("UPDATE service_claims SET worker = ?, claimed_at = ?, attempts = "
                          "attempts + 1, state = 'claimed', host = ?, pid = ? WHERE signal_id = ?",
                          (worker, now, HOST, os.getpid(), signal_id))
        return True

    def _adopted(self, signal_id: str) -> bool:
        """A `retry` row without an error: an inbox adoption took it from a dead process, whose
        run (act) or listeners (the Slack post) may be unfinished although it was decided."""
        row = self.conn.execute("SELECT error FROM service_claims WHERE signal_id = ?",
                                (signal_id,)).fetchone()
        return row is not None and row[0] is None

    def finish(self, signal_id: str, worker: str) -> None:
        """Mark the signal done (its decision is stored) and when."""
        with self._lock:
            self.conn.execute("UPDATE service_claims SET state = 'done', error = NULL, "
                              "done_at = ? WHERE signal_id = ? AND worker = ?",
                              (time.time(), signal_id, worker))

    def release(self, signal_id: str, worker: str, error: str, max_attempts: int) -> bool:
        """Record a failed attempt; True when the signal may be retried, False when it failed."""
        with self._lock:
            row = self.conn.execute("SELECT attempts FROM service_claims WHERE signal_id = ? "
                                    "AND worker = ?", (signal_id, worker)).fetchone()
            retry = bool(row) and row[0] < max_attempts
            self.conn.execute("UPDATE service_claims SET state = ?, error = ? "
                              "WHERE signal_id = ? AND worker = ?",
                              ("retry" if retry else "failed", error[:2000], signal_id, worker))
            return retry

    def reset(self, signal_id: str) -> bool:
        """Let a failed signal be tried again (operator action); False when it is not failed."""
        with self._lock:
            cur = self.conn.execute("UPDATE service_claims SET state = 'retry', attempts = 0 "
                                    "WHERE signal_id = ? AND state = 'failed'", (signal_id,))
            return cur.rowcount == 1

    def get(self, signal_id: str) -> ClaimInfo | None:
        """The claim row, or None when the signal was never claimed."""
        with self._lock:
            row = self.conn.execute(
                "SELECT signal_id, worker, claimed_at, attempts, state, error, done_at "
                "FROM service_claims WHERE signal_id = ?", (signal_id,)).fetchone()
        return ClaimInfo(*tuple(row)) if row else None

    def undecided(self, limit: int = 500, now: float | None = None) -> list[str]:
        """Signals a dead worker left unfinished (decided or not), then stored signals without
        a decision that nobody works on (received over `grace_s` ago, or released after an
        error), oldest first."""
        now = time.time() if now is None else now
        with self._lock:
            claimed = self.conn.execute(
                "SELECT c.signal_id, c.worker, c.claimed_at, c.host, c.pid FROM service_claims c "
                "JOIN signals s ON s.signal_id = c.signal_id WHERE c.state = 'claimed' "
                "ORDER BY s.rowid").fetchall()
            stale = [r[0] for r in claimed if self._stale(r, now)]
            live = {r[0] for r in claimed} - set(stale)
            rows = self._undecided(now, limit + len(live))
        fresh = [r[0] for r in rows if r[0] not in live and r[0] not in stale]
        return (stale + fresh)[:limit]

    def _undecided(self, now: float, limit: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT s.signal_id FROM signals s "
            "WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.signal_id = s.signal_id) "
            "AND NOT EXISTS (SELECT 1 FROM service_claims c WHERE c.signal_id = s.signal_id "
            "  AND c.state IN ('done', 'failed')) "
            "AND (s.received_at <= ? OR EXISTS (SELECT 1 FROM service_claims r "
            "     WHERE r.signal_id = s.signal_id)) "
            "ORDER BY s.rowid LIMIT ?",
            (_iso(now - self.grace_s), limit)).fetchall()
