"""The append-only, hash-chained audit ledger (SQLite) of every tool proposal and execution.

Triggers forbid UPDATE and DELETE; each row's hash covers its fields and the previous hash, so
`verify()` detects any edit, deletion or reordering.

Storage (issue #12): the hashes are stored as their 32 bytes, and the previous hash is not
stored at all, since it is the hash of the row before (by `seq`) and `verify()` recomputes the
chain in that order anyway. A ledger made before keeps its layout (hex text and a `prev_hash`
column, still checked): its rows are evidence and are never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64
EVENTS = ("proposed", "approval_requested", "approved", "rejected", "refused", "dry_run",
          "started", "result")
_FIELDS = ("ts", "event", "tool", "args", "args_hash", "idem_key", "signal_id", "group_id",
           "service", "environment", "target", "risk", "actor", "status", "detail")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tool_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, event TEXT NOT NULL,
  tool TEXT NOT NULL, args TEXT NOT NULL, args_hash BLOB NOT NULL, idem_key TEXT,
  signal_id TEXT, group_id TEXT, service TEXT, environment TEXT, target TEXT, risk TEXT,
  actor TEXT, status TEXT, detail TEXT, hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS tool_ledger_idem ON tool_ledger(idem_key, event);
DROP INDEX IF EXISTS tool_ledger_target;
CREATE INDEX IF NOT EXISTS tool_ledger_started ON tool_ledger(tool, target, ts)
  WHERE event = 'started';
CREATE INDEX IF NOT EXISTS tool_ledger_result ON tool_ledger(tool, target, ts)
  WHERE event = 'result';
CREATE TRIGGER IF NOT EXISTS tool_ledger_no_update BEFORE UPDATE ON tool_ledger
  BEGIN SELECT RAISE(ABORT, 'tool_ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS tool_ledger_no_delete BEFORE DELETE ON tool_ledger
  BEGIN SELECT RAISE(ABORT, 'tool_ledger is append-only'); END;
"""


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry."""

    seq: int
    ts: str
    event: str
    tool: str
    args: str
    args_hash: str
    idem_key: str | None
    signal_id: str | None
    group_id: str | None
    service: str | None
    environment: str | None
    target: str | None
    risk: str | None
    actor: str | None
    status: str | None
    detail: str | None
    prev_hash: str
    hash: str

    @property
    def detail_json(self) -> Any:
        """The parsed detail (tool output summaries are untrusted data)."""
        return json.loads(self.detail) if self.detail else None


_HEX = re.compile(r"[0-9a-f]{64}")
# The row before a row, by seq (what `prev_hash` was in the layout that stored it).
_PREV = ("(SELECT p.hash FROM tool_ledger p WHERE p.seq < tool_ledger.seq "
         "ORDER BY p.seq DESC LIMIT 1) AS prev_hash")


def _stored(value: str) -> str | bytes:
    """A hash as stored: its 32 bytes when it is a lower-case SHA-256 hex digest, else as is."""
    return bytes.fromhex(value) if _HEX.fullmatch(value) else value


def _hexed(value: str | bytes | None) -> str:
    """A stored hash back as hex text (the form the chain is computed over)."""
    if value is None:
        return GENESIS
    return value.hex() if isinstance(value, bytes) else value


def _digest(prev: str, values: dict[str, Any]) -> str:
    body = json.dumps([prev, *[values.get(k) for k in _FIELDS]], separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class Ledger:
    """Append, query and verify the audit ledger in the shared SQLite database."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock | None = None) -> None:
        self.conn = conn
        self._lock = lock or threading.RLock()  # shared with the other users of `conn`
        with self._lock:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(tool_ledger)")}
        self.legacy = "prev_hash" in columns  # a ledger made before the compact layout

    def append(self, event: str, tool: str, *, ts: datetime, args: dict | None = None,
               args_hash: str = "", detail: Any = None, **fields: str | None) -> LedgerRow:
        """Append one row chained to the last one (atomic across processes)."""
        if event not in EVENTS:
            raise ValueError(f"unknown ledger event {event!r}")
        values: dict[str, Any] = {k: fields.get(k) for k in _FIELDS}
        values.update(ts=ts.isoformat(), event=event, tool=tool, args_hash=args_hash,
                      args=json.dumps(args or {}, sort_keys=True, default=str),
                      detail=None if detail is None else json.dumps(detail, default=str))
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                last = self.conn.execute(
                    "SELECT hash FROM tool_ledger ORDER BY seq DESC LIMIT 1").fetchone()
                prev = _hexed(last[0]) if last else GENESIS
                digest = _digest(prev, values)
                if self.legacy:
                    cur = self.conn.execute(
                        f"INSERT INTO tool_ledger ({', '.join(_FIELDS)}, prev_hash, hash) "
                        f"VALUES ({', '.join('?' * (len(_FIELDS) + 2))})",
                        [*[values[k] for k in _FIELDS], prev, digest])
                else:
                    stored = {**values, "args_hash": _stored(args_hash)}
                    cur = self.conn.execute(
                        f"INSERT INTO tool_ledger ({', '.join(_FIELDS)}, hash) "
                        f"VALUES ({', '.join('?' * (len(_FIELDS) + 1))})",
                        [*[stored[k] for k in _FIELDS], _stored(digest)])
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return LedgerRow(cur.lastrowid or 0, *[values[k] for k in _FIELDS], prev, digest)

    def _rows(self, where: str = "", params: tuple = (), tail: str = "") -> list[LedgerRow]:
        columns = "*" if self.legacy else f"*, {_PREV}"
        sql = f"SELECT {columns} FROM tool_ledger {where} ORDER BY seq {tail}"
        with self._lock:
            cur = self.conn.execute(sql, params)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
        out = []
        for row in rows:
            values = dict(zip(cols, row, strict=True))
            values.update({k: _hexed(values[k]) for k in ("args_hash", "hash", "prev_hash")})
            out.append(LedgerRow(**values))
        return out

    def rows(self, since_seq: int = 0) -> list[LedgerRow]:
        """All rows after `since_seq`, oldest first."""
        return self._rows("WHERE seq > ?", (since_seq,))

    def tail(self, n: int = 20) -> list[LedgerRow]:
        """The last `n` rows, oldest first."""
        rows = self._rows("", (), f"DESC LIMIT {int(n)}")
        return list(reversed(rows))

    def by_key(self, idem_key: str, event: str | None = None) -> list[LedgerRow]:
        """Rows for one idempotency key (optionally one event), oldest first."""
        if event:
            return self._rows("WHERE idem_key = ? AND event = ?", (idem_key, event))
        return self._rows("WHERE idem_key = ?", (idem_key,))

    def has_key(self, idem_key: str, event: str) -> bool:
        """Whether any row of one idempotency key and event exists (an index probe, no decoding)."""
        with self._lock:
            return self.conn.execute(
                "SELECT 1 FROM tool_ledger WHERE idem_key = ? AND event = ? LIMIT 1",
                (idem_key, event)).fetchone() is not None

    def recent(self, tool: str, target: str, event: str, since: datetime) -> list[LedgerRow]:
        """Rows of one tool/target/event at or after `since`, oldest first."""
        if event in ("started", "result"):  # literal, so the partial index for it is used
            return self._rows(f"WHERE tool = ? AND target = ? AND event = '{event}' AND ts >= ?",
                              (tool, target, since.isoformat()))
        return self._rows("WHERE tool = ? AND target = ? AND event = ? AND ts >= ?",
                          (tool, target, event, since.isoformat()))

    def recent_statuses(self, tool: str, target: str, event: str, since: datetime,
                        limit: int) -> list[str | None]:
        """Statuses of the last `limit` rows of one tool/target/event at or after `since`,
        oldest first (what a circuit breaker reads, without decoding whole rows)."""
        if event not in EVENTS:
            raise ValueError(f"unknown ledger event {event!r}")
        with self._lock:  # the event is a literal from EVENTS, so its partial index is used
            rows = self.conn.execute(
                f"SELECT status FROM tool_ledger WHERE tool = ? AND target = ? AND "
                f"event = '{event}' AND ts >= ? ORDER BY seq DESC LIMIT ?",
                (tool, target, since.isoformat(), int(limit))).fetchall()
        return [r[0] for r in reversed(rows)]

    def count_recent(self, tool: str, target: str, event: str, since: datetime) -> int:
        """How many rows of one tool/target/event are at or after `since` (a rate limit)."""
        if event not in EVENTS:
            raise ValueError(f"unknown ledger event {event!r}")
        with self._lock:
            row = self.conn.execute(
                f"SELECT count(*) FROM tool_ledger WHERE tool = ? AND target = ? AND "
                f"event = '{event}' AND ts >= ?", (tool, target, since.isoformat())).fetchone()
        return int(row[0])

    def verify(self) -> tuple[bool, str]:
        """Recompute the hash chain; (True, summary) or (False, the first broken row)."""
        prev = GENESIS
        count = 0
        for row in self._rows():
            values = {k: getattr(row, k) for k in _FIELDS}
            if row.prev_hash != prev:
                return False, f"row {row.seq}: prev_hash does not match row before it"
            if _digest(prev, values) != row.hash:
                return False, f"row {row.seq}: hash mismatch (row was altered)"
            prev = row.hash
            count += 1
        return True, f"{count} rows, chain intact, head {prev[:16]}"
