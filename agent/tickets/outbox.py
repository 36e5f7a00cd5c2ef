"""The durable write-back outbox and ticket state (SQLite through the kernel's `open_db`).

`ticket_outbox`: one row per (ticket, decision version, step) under a unique idempotency key,
so a redelivered payload, a replayed decision or a restart never enqueues a step twice; each
row is pending until its call succeeds, retried with backoff, parked after `max_attempts`
(never deleted: `triage tickets outbox` lists and re-queues them).
`ticket_state`: per ticket what Triage last wrote, its group and kind, and the fields a human
overrode since. `ticket_signals`: which configured instance a stored signal came from.
`ticket_cursors`: the poll cursors. `ticket_overrides`: every human override seen.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, idem_key TEXT NOT NULL UNIQUE,
  instance TEXT NOT NULL, ticket_id TEXT NOT NULL, ticket_ref TEXT, ticket_table TEXT,
  signal_id TEXT NOT NULL, version TEXT NOT NULL, step TEXT NOT NULL, payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_at REAL NOT NULL, last_error TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ticket_outbox_due ON ticket_outbox(status, next_at);
CREATE INDEX IF NOT EXISTS ticket_outbox_signal ON ticket_outbox(signal_id);
CREATE TABLE IF NOT EXISTS ticket_state (
  instance TEXT NOT NULL, ticket_id TEXT NOT NULL, ticket_ref TEXT, ticket_table TEXT,
  signal_id TEXT NOT NULL, group_id TEXT, kind TEXT, version TEXT, written TEXT NOT NULL,
  overridden TEXT NOT NULL DEFAULT '[]', updated_at REAL NOT NULL,
  PRIMARY KEY (instance, ticket_id));
CREATE INDEX IF NOT EXISTS ticket_state_group ON ticket_state(instance, group_id, kind);
CREATE TABLE IF NOT EXISTS ticket_signals (signal_id TEXT PRIMARY KEY, instance TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ticket_handled (signal_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS ticket_cursors (
  instance TEXT NOT NULL, scope TEXT NOT NULL, cursor TEXT NOT NULL, updated_at REAL NOT NULL,
  PRIMARY KEY (instance, scope));
CREATE TABLE IF NOT EXISTS ticket_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance TEXT NOT NULL, ticket_id TEXT NOT NULL,
  signal_id TEXT NOT NULL, field TEXT NOT NULL, before TEXT, after TEXT, author TEXT,
  case_id TEXT, at REAL NOT NULL);
"""


@dataclass
class OutboxRow:
    """One write-back step waiting to be (or already) sent."""

    id: int
    idem_key: str
    instance: str
    ticket_id: str
    ticket_ref: str | None
    ticket_table: str | None
    signal_id: str
    version: str
    step: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_at: float
    last_error: str | None


@dataclass
class TicketState:
    """What Triage knows about one ticket it wrote to."""

    instance: str
    ticket_id: str
    ticket_ref: str | None
    ticket_table: str | None
    signal_id: str
    group_id: str | None
    kind: str | None
    version: str | None
    written: dict[str, Any]
    overridden: list[str]


@dataclass
class _Result:
    """Rows fetched while the lock was held, and the statement's row count."""

    rows: list[sqlite3.Row]
    rowcount: int

    def fetchall(self) -> list[sqlite3.Row]:
        return self.rows

    def fetchone(self) -> sqlite3.Row | None:
        return self.rows[0] if self.rows else None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)


def _row(r: sqlite3.Row) -> OutboxRow:
    data = dict(r)
    data.pop("created_at"), data.pop("updated_at")
    data["payload"] = json.loads(data["payload"])
    return OutboxRow(**data)


class TicketStore:
    """Outbox, ticket state, cursors and overrides on one connection (guarded by a lock)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.RLock()
        with self.lock:
            conn.executescript(_SCHEMA)

    def _tx(self, sql: str, args: tuple[Any, ...] = ()) -> _Result:
        """Execute and fetch under the lock (the connection is shared by threads)."""
        with self.lock:
            cur = self.conn.execute(sql, args)
            return _Result(cur.fetchall(), cur.rowcount)

    # ---- outbox ----------------------------------------------------------------------------
    def enqueue(self, rows: list[dict[str, Any]], now: float) -> int:
        """Insert steps whose idempotency key is new (one transaction); return how many."""
        added = 0
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for r in rows:
                    cur = self.conn.execute(
                        "INSERT OR IGNORE INTO ticket_outbox (idem_key, instance, ticket_id, "
                        "ticket_ref, ticket_table, signal_id, version, step, payload, next_at, "
                        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (r["idem_key"], r["instance"], r["ticket_id"], r.get("ticket_ref"),
                         r.get("ticket_table"), r["signal_id"], r["version"], r["step"],
                         json.dumps(r["payload"]), now, now, now))
                    added += cur.rowcount
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return added

    def due(self, now: float, limit: int = 50) -> list[OutboxRow]:
        """Pending steps whose time has come, oldest first."""
        rows = self._tx("SELECT * FROM ticket_outbox WHERE status = 'pending' AND next_at <= ? "
                        "ORDER BY id LIMIT ?", (now, limit)).fetchall()
        return [_row(r) for r in rows]

    def rows(self, status: str | None = None, signal_id: str | None = None) -> list[OutboxRow]:
        """Outbox rows, optionally filtered by status or signal."""
        sql, args = "SELECT * FROM ticket_outbox WHERE 1=1", []
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        if signal_id:
            sql, args = sql + " AND signal_id = ?", [*args, signal_id]
        return [_row(r) for r in self._tx(sql + " ORDER BY id", tuple(args)).fetchall()]

    def finish(self, row_id: int, now: float) -> None:
        """Mark a step done."""
        self._tx("UPDATE ticket_outbox SET status = 'done', last_error = NULL, updated_at = ? "
                 "WHERE id = ?", (now, row_id))

    def fail(self, row_id: int, error: str, next_at: float, park: bool, now: float) -> None:
        """Record a failed attempt: retry at `next_at`, or park the step."""
        self._tx("UPDATE ticket_outbox SET attempts = attempts + 1, last_error = ?, next_at = ?, "
                 "status = ?, updated_at = ? WHERE id = ?",
                 (error[:500], next_at, "parked" if park else "pending", now, row_id))

    def requeue(self, now: float, row_id: int | None = None) -> int:
        """Put parked steps (or one step) back to pending with a fresh attempt count."""
        sql = ("UPDATE ticket_outbox SET status = 'pending', attempts = 0, next_at = ?, "
               "updated_at = ? WHERE status = 'parked'")
        args: tuple[Any, ...] = (now, now)
        if row_id is not None:
            sql, args = sql + " AND id = ?", (*args, row_id)
        return self._tx(sql, args).rowcount

    def counts(self) -> dict[str, int]:
        """How many steps are in each status."""
        rows = self._tx("SELECT status, COUNT(*) AS n FROM ticket_outbox GROUP BY status")
        return {r["status"]: r["n"] for r in rows.fetchall()}

    # ---- ticket state ----------------------------------------------------------------------
    def state(self, instance: str, ticket_id: str) -> TicketState | None:
        """What Triage wrote to this ticket, or None."""
        r = self._tx("SELECT * FROM ticket_state WHERE instance = ? AND ticket_id = ?",
                     (instance, ticket_id)).fetchone()
        if r is None:
            return None
        data = dict(r)
        data.pop("updated_at")
        data["written"], data["overridden"] = (json.loads(data["written"]),
                                               json.loads(data["overridden"]))
        return TicketState(**data)

    def save_state(self, st: TicketState, now: float) -> None:
        """Insert or replace the state of one ticket."""
        self._tx("INSERT OR REPLACE INTO ticket_state VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                 (st.instance, st.ticket_id, st.ticket_ref, st.ticket_table, st.signal_id,
                  st.group_id, st.kind, st.version, json.dumps(st.written),
                  json.dumps(sorted(set(st.overridden))), now))

    def group_incident(self, instance: str, group_id: str, exclude: str) -> TicketState | None:
        """The first incident ticket of this instance in the same group (the link target)."""
        r = self._tx("SELECT ticket_id FROM ticket_state WHERE instance = ? AND group_id = ? "
                     "AND kind = 'incident' AND ticket_id != ? ORDER BY updated_at, ticket_id "
                     "LIMIT 1", (instance, group_id, exclude)).fetchone()
        return self.state(instance, r["ticket_id"]) if r else None

    def first_ticket_of(self, instance: str, signal_ids: list[str], exclude: str
                        ) -> TicketState | None:
        """The earliest ticket of this instance whose signal is among `signal_ids`."""
        if not signal_ids:
            return None
        marks = ",".join("?" * len(signal_ids))
        r = self._tx(f"SELECT ticket_id FROM ticket_state WHERE instance = ? AND ticket_id != ? "
                     f"AND signal_id IN ({marks}) ORDER BY updated_at, ticket_id LIMIT 1",
                     (instance, exclude, *signal_ids)).fetchone()
        return self.state(instance, r["ticket_id"]) if r else None

    # ---- signals, cursors, overrides --------------------------------------------------------
    def remember_signals(self, instance: str, signal_ids: list[str]) -> None:
        """Record which instance these stored signals came from."""
        with self.lock:
            self.conn.executemany("INSERT OR IGNORE INTO ticket_signals VALUES (?, ?)",
                                  [(s, instance) for s in signal_ids])

    def signal_instance(self, signal_id: str) -> str | None:
        """The instance a signal came from, when a route or the poller recorded it."""
        r = self._tx("SELECT instance FROM ticket_signals WHERE signal_id = ?",
                     (signal_id,)).fetchone()
        return r["instance"] if r else None

    def cursor(self, instance: str, scope: str) -> dict[str, Any]:
        """The persisted poll cursor ({} before the first poll)."""
        r = self._tx("SELECT cursor FROM ticket_cursors WHERE instance = ? AND scope = ?",
                     (instance, scope)).fetchone()
        return json.loads(r["cursor"]) if r else {}

    def save_cursor(self, instance: str, scope: str, cursor: dict[str, Any], now: float) -> None:
        """Persist a poll cursor."""
        self._tx("INSERT OR REPLACE INTO ticket_cursors VALUES (?,?,?,?)",
                 (instance, scope, json.dumps(cursor, sort_keys=True), now))

    def add_override(self, instance: str, ticket_id: str, signal_id: str, field: str,
                     before: str | None, after: str | None, author: str | None,
                     case_id: str | None, now: float) -> None:
        """Record one human override of a written field."""
        self._tx("INSERT INTO ticket_overrides (instance, ticket_id, signal_id, field, before, "
                 "after, author, case_id, at) VALUES (?,?,?,?,?,?,?,?,?)",
                 (instance, ticket_id, signal_id, field, before, after, author, case_id, now))

    def overrides(self) -> list[dict[str, Any]]:
        """Every recorded override, oldest first."""
        return [dict(r) for r in self._tx("SELECT * FROM ticket_overrides ORDER BY id")]

    # ---- reconcile -------------------------------------------------------------------------
    def mark_handled(self, signal_id: str) -> None:
        """Remember that the write-back looked at this decided signal."""
        self._tx("INSERT OR IGNORE INTO ticket_handled VALUES (?)", (signal_id,))

    def unhandled_ticket_decisions(self, limit: int = 500) -> list[str]:
        """Decided ticket-system signals the write-back never looked at, oldest first."""
        rows = self._tx(
            "SELECT d.signal_id FROM decisions d JOIN signals s ON s.signal_id = d.signal_id "
            "WHERE s.source = 'ticket' AND s.ticket_system IS NOT NULL "
            "AND d.signal_id NOT IN (SELECT signal_id FROM ticket_handled) "
            "ORDER BY d.ts LIMIT ?", (limit,)).fetchall()
        return [r["signal_id"] for r in rows]
