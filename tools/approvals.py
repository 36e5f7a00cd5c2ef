"""Approval requests for actions that need a human: bound to tool, exact args, signal, expiry.

An approval is valid only for the same tool, the same argument hash, the same signal, while
its approver is still listed in `teams[team].approvers`, and before it expires.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tool_approvals (
  id TEXT PRIMARY KEY, idem_key TEXT NOT NULL UNIQUE, tool TEXT NOT NULL, args TEXT NOT NULL,
  args_hash TEXT NOT NULL, signal_id TEXT NOT NULL, group_id TEXT, team TEXT, service TEXT,
  environment TEXT, risk TEXT, description TEXT, thread_id TEXT, status TEXT NOT NULL,
  requested_at TEXT NOT NULL, expires_at TEXT NOT NULL, approver TEXT, decided_at TEXT,
  reason TEXT);
CREATE INDEX IF NOT EXISTS tool_approvals_status ON tool_approvals(status, requested_at);
"""


class ApprovalError(ValueError):
    """An approval decision that cannot be accepted (unknown id, wrong approver, expired…)."""


@dataclass(frozen=True)
class ApprovalRecord:
    """One approval request and its decision."""

    id: str
    idem_key: str
    tool: str
    args: str
    args_hash: str
    signal_id: str
    group_id: str | None
    team: str | None
    service: str | None
    environment: str | None
    risk: str | None
    description: str | None
    thread_id: str | None
    status: str  # pending | approved | rejected
    requested_at: str
    expires_at: str
    approver: str | None
    decided_at: str | None
    reason: str | None

    def expired(self, now: datetime) -> bool:
        """True once the request (or the approval) is past its expiry."""
        return now.isoformat() >= self.expires_at

    def binding_problem(self, tool: str, args_hash: str, signal_id: str,
                        approvers: list[str], now: datetime) -> str | None:
        """Why this record does not authorise (tool, args, signal) now; None when it does."""
        if self.status != "approved":
            return f"approval {self.id} is {self.status}"
        if (self.tool, self.args_hash, self.signal_id) != (tool, args_hash, signal_id):
            return f"approval {self.id} was given for different tool/arguments/signal"
        if self.approver not in approvers:
            return f"approver {self.approver} is no longer an approver of team {self.team}"
        if self.expired(now):
            return f"approval {self.id} expired at {self.expires_at}"
        return None


class ApprovalStore:
    """Pending and decided approval requests in the shared SQLite database."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock | None = None) -> None:
        self.conn = conn
        self._lock = lock or threading.RLock()  # shared with the other users of `conn`
        conn.executescript(_SCHEMA)

    def request(self, record: ApprovalRecord) -> tuple[ApprovalRecord, bool]:
        """Store a pending request unless one exists for its idempotency key; (record, new?)."""
        with self._lock:
            cur = self.conn.execute(
                f"INSERT OR IGNORE INTO tool_approvals VALUES ({', '.join('?' * 19)})",
                tuple(record.__dict__.values()))
            stored = self.by_key(record.idem_key)
        assert stored is not None
        return stored, cur.rowcount == 1

    def _select(self, where: str, params: tuple) -> list[ApprovalRecord]:
        with self._lock:
            cur = self.conn.execute(f"SELECT * FROM tool_approvals {where}", params)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
        return [ApprovalRecord(**dict(zip(cols, r, strict=True))) for r in rows]

    def get(self, approval_id: str) -> ApprovalRecord | None:
        """The request with this id, or None."""
        found = self._select("WHERE id = ?", (approval_id,))
        return found[0] if found else None

    def by_key(self, idem_key: str) -> ApprovalRecord | None:
        """The request for an idempotency key, or None."""
        found = self._select("WHERE idem_key = ?", (idem_key,))
        return found[0] if found else None

    def list(self, status: str | None = None) -> list[ApprovalRecord]:
        """Requests (optionally of one status), oldest first."""
        if status:
            return self._select("WHERE status = ? ORDER BY requested_at", (status,))
        return self._select("ORDER BY requested_at", ())

    def decide(self, approval_id: str, status: str, approver: str, now: datetime,
               expires_at: datetime, reason: str | None = None) -> ApprovalRecord:
        """Move a pending request to approved/rejected (only from pending; atomic)."""
        with self._lock:
            cur = self.conn.execute(
                "UPDATE tool_approvals SET status = ?, approver = ?, decided_at = ?, "
                "expires_at = ?, reason = ? WHERE id = ? AND status = 'pending'",
                (status, approver, now.isoformat(), expires_at.isoformat(), reason,
                 approval_id))
            record = self.get(approval_id)
        if record is None:
            raise ApprovalError(f"no approval request {approval_id}")
        if cur.rowcount != 1 and (record.status, record.approver) != (status, approver):
            raise ApprovalError(f"approval {approval_id} is already {record.status}"
                                f" by {record.approver}")
        return record
