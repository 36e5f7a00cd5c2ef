"""Signal, decision and delivery records; a decision is durably written before it is reported."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.kernel.decision import Decision
from agent.kernel.packing import DECISION_DICT, SIGNAL_DICT, decision_from_row, pack, unpack
from agent.kernel.signal import Signal
from agent.store.payloads import follow, pack_json, raw_paths, unpack_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signals (
  signal_id TEXT PRIMARY KEY, source TEXT NOT NULL, fingerprint TEXT NOT NULL,
  status TEXT NOT NULL, service TEXT, ts TEXT NOT NULL, received_at TEXT NOT NULL,
  body TEXT NOT NULL, payload_id TEXT, raw_path TEXT, ticket_system TEXT);
CREATE INDEX IF NOT EXISTS signals_fp ON signals(fingerprint, ts);
CREATE TABLE IF NOT EXISTS decisions (
  signal_id TEXT PRIMARY KEY, service TEXT, group_id TEXT, kind TEXT NOT NULL,
  ts TEXT NOT NULL, body TEXT NOT NULL, security INTEGER);
CREATE INDEX IF NOT EXISTS decisions_service ON decisions(service, ts);
CREATE INDEX IF NOT EXISTS decisions_group ON decisions(group_id, ts);
CREATE INDEX IF NOT EXISTS decisions_ts ON decisions(ts);
CREATE TABLE IF NOT EXISTS deliveries (
  delivery_key TEXT PRIMARY KEY, signal_ids TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payloads (
  payload_id TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


# Columns added after a database was first made, with the statement that fills them in for
# the rows already there (bodies written before packing are JSON text, json_extract reads them).
_ADDED = {
    ("signals", "payload_id"): None, ("signals", "raw_path"): None,
    ("signals", "ticket_system"): "UPDATE signals SET ticket_system = json_extract(body, "
                                  "'$.labels.ticket_system') WHERE typeof(body) = 'text'",
    ("decisions", "security"): "UPDATE decisions SET security = json_extract(body, '$.security')"
                               " WHERE typeof(body) = 'text'",
}


KEYS_PER_QUERY = 500  # delivery keys per lookup (old SQLite builds bind at most 999)
CONTEXT_CACHE = 1024  # decoded decisions kept for correlation (a window of a busy service)


def _iso(value: datetime) -> str:
    return value.isoformat()




def _ticket_system(signal: Signal) -> str | None:
    """The ticket system a ticket signal came from (the write-back's filter), else None."""
    value = signal.labels.get("ticket_system") if signal.source == "ticket" else None
    return str(value) if value is not None else None


@dataclass
class _Packed:
    """One delivery's rows, ready to insert: the payload row (or None) and the signal rows."""

    payload: tuple[str | None, bytes] | None
    signals: list[tuple[Any, ...]]


class SignalStore:
    """Reads and writes signals, decisions and payload deliveries in the shared database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock = threading.RLock()
        self._context: OrderedDict[bytes | str, Decision] = OrderedDict()
        with self._lock:
            conn.executescript(_SCHEMA)
            self._add_columns()

    def _as_context(self, body: bytes | str) -> Decision:
        """A stored decision read as correlated context: decoded once per stored body.

        Every decision of a storm's service is context to every later one (~50 decoded per
        decision). The objects are shared between the decisions that read them, so they are
        read-only context; callers that change a decision use `get_decision` (a fresh copy).
        """
        found = self._context.get(body)
        if found is not None:
            self._context.move_to_end(body)
            return found
        found = decision_from_row(body)
        self._context[body] = found
        if len(self._context) > CONTEXT_CACHE:
            self._context.popitem(last=False)
        return found

    def _add_columns(self) -> None:
        """Bring a database made by an older version up to the columns above (atomically, so
        two processes opening it at once do not both alter it)."""
        missing = [(t, c) for t, c in _ADDED if c not in
                   {row[1] for row in self.conn.execute(f"PRAGMA table_info({t})")}]
        if not missing:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for table, column in missing:
                if column in {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}:
                    continue  # another process added it meanwhile
                kind = "INTEGER" if column == "security" else "TEXT"
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                if _ADDED[(table, column)]:
                    self.conn.execute(_ADDED[(table, column)])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def add_signals(self, signals: list[Signal], delivery_key: str | None = None, *,
                    body: Any = None) -> list[str]:
        """Store parsed signals (and the delivery they came in) atomically; return their ids.

        A delivery key seen before returns the ids stored the first time and stores nothing.
        `body`: the decoded delivery the signals were parsed from. When the signals' raw parts
        are parts of it, it is stored once and each row keeps only the path to its part.
        """
        return self.add_batch([(signals, delivery_key, body)])[0]

    def add_batch(self, items: list[tuple[list[Signal], str | None]]
                  | list[tuple[list[Signal], str | None, Any]],
                  then: Callable[[sqlite3.Connection, list[list[str]]], None] | None = None
                  ) -> list[list[str]]:
        """Store many deliveries in one transaction (a group commit); their ids, in order.

        Each item is (signals, delivery key[, body]) with `add_signals` semantics; a key seen
        before, also earlier in the same batch, returns the first ids and stores nothing.
        `then(conn, ids)` runs inside the same transaction (the service's inbox rows).
        """
        # serializing and packing happens before the write lock is taken: under a storm the
        # lock is what the decision worker waits for (agent.kernel.write_turns)
        rows = [self._rows(signals, body[0] if body else None) for signals, _key, *body in items]
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                out = self._add_all(items, rows)
                if then is not None:
                    then(self.conn, out)
                self.conn.execute("COMMIT")
                return out
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _rows(self, signals: list[Signal], body: Any = None) -> _Packed:
        """The payload and signal rows of one delivery, serialized and packed."""
        paths = raw_paths(body, signals) if signals else {}
        payload_id = signals[0].signal_id if paths else None
        payload = (payload_id, pack_json(body)) if paths else None
        return _Packed(payload, [
            (s.signal_id, s.source, s.fingerprint, s.status, s.service, _iso(s.timestamp),
             _iso(s.received_at),
             pack(s.model_dump_json(exclude={"raw"} if s.signal_id in paths else None),
                  SIGNAL_DICT), payload_id,
             json.dumps(paths[s.signal_id]) if s.signal_id in paths else None,
             _ticket_system(s))
            for s in signals])

    def _stored_deliveries(self, keys: list[str]) -> dict[str, list[str]]:
        """The signal ids already stored under each of these delivery keys (known ones only)."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start:start + KEYS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            for key, ids in self.conn.execute(
                    f"SELECT delivery_key, signal_ids FROM deliveries WHERE delivery_key IN "
                    f"({marks})", chunk):
                found[key] = json.loads(ids)
        return found

    def _add_all(self, items: list[tuple[list[Signal], str | None]]
                 | list[tuple[list[Signal], str | None, Any]], rows: list[_Packed]
                 ) -> list[list[str]]:
        """Insert a batch's new deliveries with one statement per table (inside the caller's
        transaction); every item's ids, the first ones for a key seen before."""
        known = self._stored_deliveries(list(dict.fromkeys(k for _s, k, *_b in items if k)))
        out: list[list[str]] = []
        payloads: list[tuple[str | None, bytes]] = []
        signal_rows: list[tuple[Any, ...]] = []
        deliveries: list[tuple[str, str, str]] = []
        for (signals, key, *_body), packed in zip(items, rows, strict=True):
            if key and key in known:  # a redelivery, also of a key earlier in this batch
                out.append(list(known[key]))
                continue
            ids = [s.signal_id for s in signals]
            if packed.payload is not None:
                payloads.append(packed.payload)
            signal_rows += packed.signals
            if key:
                known[key] = ids
                deliveries.append((key, json.dumps(ids),
                                   _iso(signals[0].received_at) if signals else ""))
            out.append(ids)
        if payloads:
            self.conn.executemany("INSERT OR REPLACE INTO payloads VALUES (?,?)", payloads)
        if signal_rows:
            self.conn.executemany(
                "INSERT OR REPLACE INTO signals (signal_id, source, fingerprint, status, service, "
                "ts, received_at, body, payload_id, raw_path, ticket_system) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)", signal_rows)
        if deliveries:
            self.conn.executemany("INSERT INTO deliveries VALUES (?,?,?)", deliveries)
        return out

    def get_signal(self, signal_id: str) -> Signal | None:
        """The stored signal, or None."""
        with self._lock:
            row = self.conn.execute(
                "SELECT s.body, s.raw_path, p.body AS payload FROM signals s LEFT JOIN payloads p "
                "ON p.payload_id = s.payload_id WHERE s.signal_id = ?", (signal_id,)).fetchone()
        if row is None:
            return None
        signal = Signal.model_validate_json(unpack(row["body"]))
        if row["raw_path"] and row["payload"] is not None:
            raw = follow(unpack_json(row["payload"]), json.loads(row["raw_path"]))
            signal = signal.model_copy(update={"raw": raw})
        return signal

    def payload(self, signal_id: str) -> Any:
        """The delivery body a signal came in, as received (its raw when it came alone as the
        whole body); None for an unknown signal."""
        with self._lock:
            row = self.conn.execute(
                "SELECT p.body FROM signals s JOIN payloads p ON p.payload_id = s.payload_id "
                "WHERE s.signal_id = ?", (signal_id,)).fetchone()
        if row is not None:
            return unpack_json(row["body"])
        signal = self.get_signal(signal_id)
        return signal.raw if signal is not None else None

    def save_decision(self, decision: Decision) -> None:
        """Durably write (or replace) the decision for its signal."""
        ts = decision.timestamp or decision.received_at
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO decisions (signal_id, service, group_id, kind, ts, body, "
                "security) VALUES (?,?,?,?,?,?,?)",
                (decision.signal_id, decision.service, decision.noise.group_id, decision.kind,
                 _iso(ts), pack(decision.model_dump_json(), DECISION_DICT),
                 int(decision.security)))

    def get_decision(self, signal_id: str) -> Decision | None:
        """The stored decision for a signal, or None when it has none (yet)."""
        with self._lock:
            row = self.conn.execute("SELECT body FROM decisions WHERE signal_id = ?",
                                    (signal_id,)).fetchone()
        return decision_from_row(row["body"]) if row else None

    def related_decisions(self, service: str | None, group_id: str | None,
                          since: datetime, until: datetime, limit: int = 50) -> list[Decision]:
        """Earlier decisions of the same service or group inside [since, until], oldest first."""
        if not service and not group_id:
            return []
        with self._lock:
            rows = self.conn.execute(
                "SELECT body FROM decisions WHERE (service = ? OR group_id = ?) "
                "AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?",
                (service or "\x00", group_id or "\x00", _iso(since), _iso(until),
                 limit)).fetchall()
        return [decision_from_row(r["body"]) for r in rows]

    def correlated_decisions(self, services: list[str], group_id: str | None, since: datetime,
                             until: datetime, limit: int = 50) -> list[Decision]:
        """Decisions of any of `services` or of the group inside [since, until], oldest first
        (read-only context, shared: see `_as_context`)."""
        if not services and not group_id:
            return []
        marks = ",".join("?" * len(services)) or "NULL"
        with self._lock:
            rows = self.conn.execute(
                f"SELECT body FROM decisions WHERE (service IN ({marks}) OR group_id = ?) "
                "AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?",
                (*services, group_id or "\x00", _iso(since), _iso(until), limit)).fetchall()
            return [self._as_context(r["body"]) for r in rows]

    def security_decisions(self, since: datetime, until: datetime,
                           limit: int = 100) -> list[Decision]:
        """Security decisions inside [since, until], oldest first (entity correlation; read-only
        context, shared: see `_as_context`)."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT body FROM decisions WHERE ts >= ? AND ts <= ? "
                "AND security = 1 ORDER BY ts LIMIT ?",
                (_iso(since), _iso(until), limit)).fetchall()
            return [self._as_context(r["body"]) for r in rows]

    def decisions_in_group(self, group_id: str) -> list[Decision]:
        """All decisions of one group, oldest first (the group's timeline)."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT body FROM decisions WHERE group_id = ? ORDER BY ts",
                (group_id,)).fetchall()
        return [decision_from_row(r["body"]) for r in rows]

    def open_incident_groups(self) -> list[str]:
        """Group ids that hold at least one incident decision, newest first."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT group_id, MAX(ts) AS last FROM decisions WHERE kind = 'incident' "
                "GROUP BY group_id ORDER BY last DESC").fetchall()
        return [r["group_id"] for r in rows]
