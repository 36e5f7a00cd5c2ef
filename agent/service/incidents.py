"""Open incidents for the API: incident groups from the noise gate, minus those resolved by hand.

A resolution remembers the group's last activity; a later signal in the group reopens it.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

from agent.incidents.model import Incident
from agent.incidents.store import IncidentStore
from agent.kernel.decision import Decision
from agent.kernel.noise import GroupInfo, NoiseAdmin
from agent.service.schemas import IncidentOut, TimelineOut
from agent.store.signals import SignalStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS service_resolutions (
  group_id TEXT PRIMARY KEY, signal_id TEXT NOT NULL, resolved_at TEXT NOT NULL,
  group_last_at REAL NOT NULL, author TEXT NOT NULL, note TEXT);
"""


class Resolutions:
    """Incident groups resolved through the API (by an operator or a Slack action)."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock | None = None) -> None:
        self.conn = conn
        self._lock = lock or threading.RLock()  # shared by every user of `conn`
        with self._lock:
            conn.executescript(_SCHEMA)

    def resolve(self, group: GroupInfo, signal_id: str, author: str, note: str | None) -> None:
        """Mark the group resolved as of its latest activity."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO service_resolutions VALUES (?,?,?,?,?,?)",
                              (group.group_id, signal_id, now, group.last_at.timestamp(),
                               author, note))

    def is_resolved(self, group: GroupInfo) -> bool:
        """True when the group was resolved and nothing happened in it since."""
        ids = [group.group_id, *group.aliases]
        marks = ",".join("?" * len(ids))
        with self._lock:
            row = self.conn.execute("SELECT MAX(group_last_at) FROM service_resolutions "
                                    f"WHERE group_id IN ({marks})", ids).fetchone()
        return bool(row and row[0] is not None and group.last_at.timestamp() <= row[0])


def group_decisions(store: SignalStore, group: GroupInfo) -> list[Decision]:
    """The decisions of a group and of the groups merged into it, oldest first."""
    found: dict[str, Decision] = {}
    for gid in (group.group_id, *group.aliases):
        for decision in store.decisions_in_group(gid):
            found.setdefault(decision.signal_id, decision)
    return sorted(found.values(), key=lambda d: (d.timestamp or d.received_at, d.signal_id))


def _with_record(out: IncidentOut, record: Incident | None) -> IncidentOut:
    if record is None:
        return out
    return out.model_copy(update={
        "incident_id": record.id, "state": record.status, "severity": record.severity,
        "team": record.team, "title": record.title, "commander": record.commander,
        "acknowledged_at": record.acknowledged_at, "escalations": record.escalations,
        "verification": record.verification,
        "priority": record.priority})


def _declared(record: Incident) -> IncidentOut:
    """A hand-declared incident without a noise group."""
    return _with_record(IncidentOut(
        group_id=record.group_id or "", service=record.service, kind="incident",
        priority=record.priority, status="open", first_at=record.opened_at,
        last_at=record.opened_at, firing=[], signal_ids=record.linked("signal"), timeline=[],
        signals=[]), record)


def open_incidents(noise: NoiseAdmin, store: SignalStore, resolutions: Resolutions,
                   limit: int = 100, records: IncidentStore | None = None) -> list[IncidentOut]:
    """Open incident groups (newest activity first) with their decisions and records.

    A group whose newest incident record is resolved is closed; hand-declared incidents and
    records of groups no longer open follow the groups.
    """
    out: list[IncidentOut] = []
    shown: set[str] = set()
    for group in noise.open_groups(kind="incident"):
        if resolutions.is_resolved(group):
            continue
        ids = [group.group_id, *group.aliases]
        record = records.latest_for_group(ids) if records is not None else None
        if record is not None and not record.is_open:
            continue
        if record is not None:
            shown.add(record.id)
        out.append(_with_record(IncidentOut(
            group_id=group.group_id, service=group.service, kind=group.kind,
            priority=group.priority, status=group.status, first_at=group.first_at,
            last_at=group.last_at, firing=group.firing, signal_ids=group.signal_ids,
            timeline=[TimelineOut(ts=t.ts, signal_id=t.signal_id, entry=t.entry)
                      for t in group.timeline],
            signals=group_decisions(store, group)), record))
        if len(out) >= limit:
            return out
    for record in records.list(open_only=True, limit=limit) if records is not None else []:
        if record.id not in shown and record.group_id is None:
            out.append(_declared(record))
            if len(out) >= limit:
                break
    return out
