"""Maintenance windows (config and runtime) and Alertmanager-style silences."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from agent.config.org import MaintenanceWindow
from agent.kernel.matchers import Matcher, parse_matcher
from agent.noise.keys import epoch, from_epoch
from agent.noise.matchset import MatcherSet
from agent.noise.types import Suppression

_VERSION_KEY = "suppressions_version"


@dataclass
class _Compiled:
    label: str  # what goes after "maintenance:" / "silence:"
    kind: str
    matchers: MatcherSet
    start: float
    end: float


def _window_matchers(window: MaintenanceWindow) -> list[Matcher]:
    found = [Matcher(k, "=", v) for k, v in window.match.items()]
    return found + [Matcher(k, "=~", v) for k, v in window.match_re.items()]


def _check_matchers(texts: list[str]) -> list[Matcher]:
    if not texts:
        raise ValueError("at least one matcher is required (e.g. service=\"orders-db\")")
    return [parse_matcher(t) for t in texts]


class SuppressionBook:
    """Declared and runtime windows and silences, answering "what suppresses this signal now"."""

    def __init__(self, conn: sqlite3.Connection, windows: list[MaintenanceWindow]) -> None:
        self.conn = conn
        self._static = [
            _Compiled(w.reason or str(i), "maintenance", MatcherSet(_window_matchers(w)),
                      epoch(w.start), epoch(w.end)) for i, w in enumerate(windows)]
        self._runtime: list[_Compiled] = []
        self._version = -1

    def refresh(self) -> None:
        """Reload runtime windows and silences when their version changed."""
        row = self.conn.execute("SELECT value FROM noise_meta WHERE key = ?",
                                (_VERSION_KEY,)).fetchone()
        version = row[0] if row else 0
        if version == self._version:
            return
        compiled = []
        for s in self._load():
            end = min(epoch(s.end), epoch(s.expired_at)) if s.expired_at else epoch(s.end)
            label = (s.reason or s.id) if s.kind == "maintenance" else s.id
            compiled.append(_Compiled(label, s.kind,
                                      MatcherSet([parse_matcher(m) for m in s.matchers]),
                                      epoch(s.start), end))
        self._runtime, self._version = compiled, version

    def match(self, labels: dict[str, str], when: float) -> tuple[str, str] | None:
        """(kind, label) of the first window or silence covering the signal, else None."""
        for c in (*self._static, *self._runtime):
            if c.start <= when < c.end and c.matchers.holds(labels):
                return c.kind, c.label
        return None

    def _bump(self) -> None:
        self.conn.execute(
            "INSERT INTO noise_meta VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET value = value + 1",
            (_VERSION_KEY,))

    def add(self, kind: str, matchers: list[str], start: datetime, end: datetime, reason: str,
            created_by: str) -> Suppression:
        """Store a runtime maintenance window or silence (validated) and return it."""
        _check_matchers(matchers)
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end need a timezone")
        if end <= start:
            raise ValueError("end must be after start")
        sid = f"{'mw' if kind == 'maintenance' else 'sil'}-{uuid.uuid4().hex[:12]}"
        self.conn.execute(
            "INSERT INTO noise_suppressions VALUES (?,?,?,?,?,?,?,NULL)",
            (sid, kind, json.dumps(matchers), epoch(start), epoch(end), reason, created_by))
        self._bump()
        self.refresh()
        return Suppression(sid, kind, matchers, start, end, reason, created_by)

    def expire(self, sid: str, at: datetime) -> bool:
        """Expire a runtime window or silence from `at` on; False when the id is unknown."""
        cur = self.conn.execute("UPDATE noise_suppressions SET expired_at = ? WHERE id = ?",
                                (epoch(at), sid))
        if cur.rowcount:
            self._bump()
            self.refresh()
        return bool(cur.rowcount)

    def _load(self, kind: str | None = None) -> list[Suppression]:
        sql, args = "SELECT * FROM noise_suppressions", ()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [Suppression(r[0], r[1], json.loads(r[2]), from_epoch(r[3]), from_epoch(r[4]),
                            r[5], r[6], from_epoch(r[7]) if r[7] is not None else None)
                for r in self.conn.execute(sql + " ORDER BY start, id", args)]

    def list(self, kind: str | None = None) -> list[Suppression]:
        """Runtime windows and silences (all of them, expired ones included), oldest first."""
        return self._load(kind)

