"""SQLite persistence of incidents, their links, timeline and the escalation outbox.

Every change of an incident and its timeline entry are written in one transaction, so the
record and its history never disagree. Writers take `BEGIN IMMEDIATE` (safe across processes).
Timeline facts (`data`) are stored packed (`agent/kernel/packing.py`); older rows are JSON text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from typing import Any

from agent.incidents.model import Incident, Link, TimelineEntry, UnknownIncident
from agent.kernel.db import reopen
from agent.kernel.packing import TIMELINE_DICT, pack, unpack

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
  seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, group_id TEXT, status TEXT NOT NULL,
  priority TEXT NOT NULL, opened_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_group ON incidents(group_id, status);
CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status, opened_at);
CREATE TABLE IF NOT EXISTS incident_links (
  incident_id TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, at TEXT NOT NULL,
  detail TEXT NOT NULL, PRIMARY KEY (incident_id, kind, ref));
CREATE INDEX IF NOT EXISTS incident_links_ref ON incident_links(kind, ref);
CREATE TABLE IF NOT EXISTS incident_timeline (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, at TEXT NOT NULL,
  actor TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL, reason TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS incident_timeline_id ON incident_timeline(incident_id, seq);
CREATE TABLE IF NOT EXISTS incident_outbox (
  key TEXT PRIMARY KEY, incident_id TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
  payload TEXT NOT NULL, due_at TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL, sent_at TEXT, error TEXT, claimed_at TEXT, claimed_by TEXT);
CREATE INDEX IF NOT EXISTS incident_outbox_state ON incident_outbox(state, due_at);
CREATE TABLE IF NOT EXISTS incident_checks (
  key TEXT PRIMARY KEY, incident_id TEXT NOT NULL, signal_id TEXT NOT NULL,
  action_index INTEGER NOT NULL, tool TEXT NOT NULL, spec TEXT NOT NULL, started_at TEXT NOT NULL,
  deadline TEXT NOT NULL, outcome TEXT, detail TEXT, decided_at TEXT, evidence TEXT);
CREATE INDEX IF NOT EXISTS incident_checks_open ON incident_checks(outcome, deadline);
"""
_SCALARS = ("title", "status", "priority", "severity", "opened_by", "origin", "service", "team",
            "group_id", "commander", "acknowledged_by", "resolved_by", "verification",
            "escalations", "slack_channel", "postmortem_id", "runbook", "summary", "roles")
_TIMES = ("opened_at", "acknowledged_at", "engaged_at", "mitigated_at", "resolved_at")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _body(incident: Incident) -> str:
    data: dict[str, Any] = {k: getattr(incident, k) for k in _SCALARS}
    data.update({k: _iso(getattr(incident, k)) for k in _TIMES})
    return json.dumps(data, sort_keys=True)


def _incident(incident_id: str, body: str) -> Incident:
    data = json.loads(body)
    known = {f.name for f in fields(Incident)}
    values = {k: v for k, v in data.items() if k in known}
    values.update({k: _time(data.get(k)) for k in _TIMES})
    return Incident(id=incident_id, **values)


class IncidentStore:
    """Reads and writes incidents on a private connection to the shared database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = reopen(conn)
        self.lock = threading.RLock()
        with self.lock:
            self.conn.executescript(_SCHEMA)
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(incident_outbox)")}
            if "claimed_at" not in columns:  # databases made before outbox claims had leases
                self.conn.execute("ALTER TABLE incident_outbox ADD COLUMN claimed_at TEXT")
            if "claimed_by" not in columns:  # … and before they named their process
                self.conn.execute("ALTER TABLE incident_outbox ADD COLUMN claimed_by TEXT")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error)."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    # -- writes (call inside tx) ---------------------------------------------------------
    def next_id(self) -> str:
        """The next incident id (INC-1, INC-2, …), unique under the write lock."""
        row = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM incidents").fetchone()
        return f"INC-{row[0]}"

    def insert(self, incident: Incident) -> None:
        """Store a new incident."""
        seq = int(incident.id.split("-", 1)[1])
        self.conn.execute("INSERT INTO incidents VALUES (?,?,?,?,?,?,?)",
                          (seq, incident.id, incident.group_id, incident.status,
                           incident.priority, _iso(incident.opened_at), _body(incident)))

    def update(self, incident: Incident) -> None:
        """Store the changed fields of an incident."""
        self.conn.execute("UPDATE incidents SET status=?, priority=?, group_id=?, body=? "
                          "WHERE id=?", (incident.status, incident.priority, incident.group_id,
                                         _body(incident), incident.id))

    def add_entry(self, incident_id: str, entry: TimelineEntry) -> None:
        """Append one timeline entry."""
        self.conn.execute(
            "INSERT INTO incident_timeline (incident_id, at, actor, event, detail, reason, data)"
            " VALUES (?,?,?,?,?,?,?)",
            (incident_id, _iso(entry.at), entry.actor, entry.event, entry.detail, entry.reason,
             pack(json.dumps(entry.data, sort_keys=True, default=str), TIMELINE_DICT)
             if entry.data else None))

    def add_link(self, incident_id: str, link: Link) -> bool:
        """Attach a link; False when it was already attached."""
        cur = self.conn.execute("INSERT OR IGNORE INTO incident_links VALUES (?,?,?,?,?)",
                                (incident_id, link.kind, link.ref, _iso(link.at), link.detail))
        return cur.rowcount == 1

    def set_link_detail(self, incident_id: str, kind: str, ref: str, detail: str) -> None:
        """Change the detail text of a link (an action's status)."""
        self.conn.execute("UPDATE incident_links SET detail=? WHERE incident_id=? AND kind=? "
                          "AND ref=?", (detail, incident_id, kind, ref))

    # -- reads ------------------------------------------------------------------------------
    def _one(self, sql: str, params: tuple) -> Incident | None:
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return _incident(row["id"], row["body"]) if row else None

    def get(self, incident_id: str, *, full: bool = True) -> Incident:
        """One incident (with links and timeline when `full`), or UnknownIncident."""
        incident = self._one("SELECT id, body FROM incidents WHERE id = ?", (incident_id,))
        if incident is None:
            raise UnknownIncident(f"no incident {incident_id!r}")
        if full:
            incident.links = self.links(incident_id)
            incident.timeline = self.timeline(incident_id)
        return incident

    def open_for_group(self, group_ids: list[str]) -> Incident | None:
        """The newest unresolved incident of any of these noise groups."""
        if not group_ids:
            return None
        marks = ",".join("?" * len(group_ids))
        return self._one(f"SELECT id, body FROM incidents WHERE group_id IN ({marks}) AND "
                         "status != 'resolved' ORDER BY seq DESC LIMIT 1", tuple(group_ids))

    def open_for_service(self, service: str, since: datetime) -> Incident | None:
        """The newest unresolved incident of a service opened at or after `since`."""
        with self.lock:
            rows = self.conn.execute("SELECT id, body FROM incidents WHERE status != 'resolved' "
                                     "AND opened_at >= ? ORDER BY seq DESC",
                                     (since.isoformat(),)).fetchall()
        for row in rows:
            incident = _incident(row["id"], row["body"])
            if incident.service == service:
                return incident
        return None

    def latest_for_group(self, group_ids: list[str]) -> Incident | None:
        """The newest incident of any of these groups, resolved or not."""
        if not group_ids:
            return None
        marks = ",".join("?" * len(group_ids))
        return self._one(f"SELECT id, body FROM incidents WHERE group_id IN ({marks}) "
                         "ORDER BY seq DESC LIMIT 1", tuple(group_ids))

    def for_link(self, kind: str, ref: str) -> Incident | None:
        """The newest incident a signal, decision or chat thread is linked to."""
        with self.lock:
            row = self.conn.execute(
                "SELECT i.id, i.body FROM incident_links l JOIN incidents i ON i.id = "
                "l.incident_id WHERE l.kind = ? AND l.ref = ? ORDER BY i.seq DESC LIMIT 1",
                (kind, ref)).fetchone()
        return _incident(row["id"], row["body"]) if row else None

    def list(self, status: str | None = None, limit: int = 100,
             open_only: bool = False) -> list[Incident]:
        """Incidents newest first, optionally of one state or only unresolved ones."""
        where, params = "", ()
        if status:
            where, params = "WHERE status = ?", (status,)
        elif open_only:
            where = "WHERE status != 'resolved'"
        with self.lock:
            rows = self.conn.execute(f"SELECT id, body FROM incidents {where} ORDER BY seq DESC "
                                     f"LIMIT {int(limit)}", params).fetchall()
        return [_incident(r["id"], r["body"]) for r in rows]

    def links(self, incident_id: str) -> list[Link]:
        """An incident's links in the order they were made."""
        with self.lock:
            rows = self.conn.execute("SELECT kind, ref, at, detail FROM incident_links WHERE "
                                     "incident_id = ? ORDER BY at, rowid",
                                     (incident_id,)).fetchall()
        return [Link(r["kind"], r["ref"], datetime.fromisoformat(r["at"]), r["detail"])
                for r in rows]

    def link_details(self, incident_id: str, kind: str, prefix: str) -> dict[str, str]:
        """ref -> detail of an incident's links of one kind whose ref starts with `prefix`
        (a range on the primary key: one decision's actions, not every link of a big incident)."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"
        with self.lock:
            rows = self.conn.execute("SELECT ref, detail FROM incident_links WHERE incident_id = ?"
                                     " AND kind = ? AND ref >= ? AND ref < ?",
                                     (incident_id, kind, prefix, upper)).fetchall()
        return {r["ref"]: r["detail"] for r in rows}

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        """An incident's timeline, in the order it was written."""
        with self.lock:
            rows = self.conn.execute("SELECT * FROM incident_timeline WHERE incident_id = ? "
                                     "ORDER BY seq", (incident_id,)).fetchall()
        return [TimelineEntry(at=datetime.fromisoformat(r["at"]), actor=r["actor"],
                              event=r["event"], detail=r["detail"], reason=r["reason"],
                              data=json.loads(unpack(r["data"])) if r["data"] else {}, seq=r["seq"])
                for r in rows]

    def all_timelines(self) -> dict[str, list[TimelineEntry]]:
        """Every incident's timeline (for KPIs)."""
        with self.lock:
            ids = [r[0] for r in self.conn.execute("SELECT id FROM incidents").fetchall()]
        return {i: self.timeline(i) for i in ids}
