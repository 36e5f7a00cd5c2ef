"""Work claims on stored signals, so several workers and processes never decide one signal twice.

A worker claims a signal with one atomic upsert that succeeds only when nobody holds a live
claim and the signal is not done; a claim whose worker died goes stale after the lease and may
be taken over. The signal's decision row (written by the graph's record stage) is the proof of
completion; the claim row adds attempts and the last error.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_claims (
  signal_id TEXT PRIMARY KEY, worker TEXT NOT NULL, claimed_at REAL NOT NULL,
  attempts INTEGER NOT NULL, state TEXT NOT NULL, error TEXT, done_at REAL);
CREATE INDEX IF NOT EXISTS service_claims_state ON service_claims(state, claimed_at);
"""
# state: claimed (in progress) | done | retry (released after an error) | failed (gave up)


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

    def claim(self, signal_id: str, worker: str, now: float | None = None) -> bool:
        """Take the signal for `worker`; False when it is done, failed or held by a live claim."""
        now = time.time() if now is None else now
        with self._lock:
            decided = self.conn.execute("SELECT 1 FROM decisions WHERE signal_id = ?",
                                        (signal_id,)).fetchone()
            if decided:
                return False
            cur = self.conn.execute(
                "INSERT INTO service_claims VALUES (?, ?, ?, 1, 'claimed', NULL, NULL) "
                "ON CONFLICT(signal_id) DO UPDATE SET worker = excluded.worker, "
                "claimed_at = excluded.claimed_at, attempts = service_claims.attempts + 1, "
                "state = 'claimed' WHERE service_claims.state = 'retry' "
                "OR (service_claims.state = 'claimed' AND service_claims.claimed_at < ?)",
                (signal_id, worker, now, now - self.lease_s))
            return cur.rowcount == 1

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
        """Stored signals without a decision that nobody works on (received over `grace_s`
        ago, or released after an error), oldest first."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._undecided(now, limit)
        return [r[0] for r in rows]

    def _undecided(self, now: float, limit: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT s.signal_id FROM signals s "
            "WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.signal_id = s.signal_id) "
            "AND NOT EXISTS (SELECT 1 FROM service_claims c WHERE c.signal_id = s.signal_id "
            "  AND (c.state IN ('done', 'failed') "
            "       OR (c.state = 'claimed' AND c.claimed_at >= ?))) "
            "AND (s.received_at <= ? OR EXISTS (SELECT 1 FROM service_claims r "
            "     WHERE r.signal_id = s.signal_id)) "
            "ORDER BY s.rowid LIMIT ?",
            (now - self.lease_s, _iso(now - self.grace_s), limit)).fetchall()
