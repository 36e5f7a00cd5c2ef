"""The noise gate's rows: in-memory caches of its SQLite tables and the buffer of their writes.

A lookup is served from memory and loaded from SQLite on a miss (unless `complete`: then the
hot tables are in memory whole and a miss means absent); a write updates the cache and is
buffered (`write`) until `NoiseState` flushes it with `executemany` when its transaction commits.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from agent.noise.members import MemberIndex
from agent.noise.records import GroupRow, KeyIndex, OutcomeRow

_MISSING: Any = object()
GROUP_COLS = ("group_id, gkey, service, first_anchor, last_ts, kind, priority, last_notify, "
              "n_alerts, n_firing, multi")


class RowCache:
    """Cached, lazily loaded rows of the noise tables and the writes buffered for them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.members = MemberIndex(conn)
        self._gen = 0  # the last noise generation this state has seen (or committed)
        self._wrote = False  # this transaction changed noise tables
        self._pending: dict[str, list[tuple]] = {}
        self._dirty_groups: dict[str, GroupRow] = {}
        self._dirty_baselines: dict[str, Any] = {}
        self._dirty_flaps: set[str] = set()
        self._dirty_inhibit: dict[tuple[int, str, str], tuple[int, str, float] | None] = {}
        self.complete = False  # cache holds every dedup/alert/flap/group row (misses are absent)
        self.clear()

    def clear(self) -> None:
        """Drop every cached row (they reload from SQLite on demand); the member index stays."""
        self.complete = False
        self.dedup: dict[str, tuple[str, float] | None] = {}
        self.outcomes: dict[str, OutcomeRow | None] = {}
        self.groups: dict[str, GroupRow | None] = {}
        self.aliases: dict[str, str | None] = {}
        self.alerts: dict[tuple[str, str], tuple[str, float, bool] | None] = {}
        self.alert_latest: dict[str, tuple[float, str] | None] = {}
        self.inhibit: dict[tuple[int, str], dict[str, tuple[int, str, float]]] = {}
        self.flaps: dict[str, tuple[list, bool] | None] = {}
        self.baselines: dict[str, Any] = {}
        self.key_groups: set[tuple[str, str]] = set()  # (group key, group) rows known to exist

    @property
    def member_group(self) -> dict[str, str]:
        """signal id → group id of the members in memory."""
        return self.members.member_group

    def write(self, sql: str, params: tuple) -> None:
        """Buffer one write until flush (each statement's rows keep their order)."""
        self._wrote = True
        self._pending.setdefault(sql, []).append(params)

    def _drop_pending(self) -> None:
        self._pending.clear()
        self._dirty_groups.clear()
        self._dirty_baselines.clear()
        self._dirty_flaps.clear()
        self._dirty_inhibit.clear()

    def _one(self, sql: str, args: tuple) -> Any:
        return self.conn.execute(sql, args).fetchone()

    def get_dedup(self, key: str) -> tuple[str, float] | None:
        """First (signal_id, ts) seen for a dedup key."""
        hit = self.dedup.get(key, None if self.complete else _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT signal_id, ts FROM noise_dedup WHERE key = ?", (key,))
            hit = self.dedup[key] = (row[0], row[1]) if row else None
        return hit

    def put_dedup(self, key: str, sid: str, ts: float, outcome: OutcomeRow) -> None:
        """Record the first signal of a dedup key and its outcome."""
        self.dedup[key] = (sid, ts)
        self.outcomes[key] = outcome
        self.write("INSERT OR REPLACE INTO noise_dedup VALUES (?,?,?,?,?,?,?,?)",
                   (key, sid, ts, *outcome))

    def get_outcome(self, key: str) -> OutcomeRow | None:
        """The outcome of the first signal of a dedup key."""
        hit = self.outcomes.get(key, _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT group_id, suppressed_by, flags, anomaly, reason "
                            "FROM noise_dedup WHERE key = ?", (key,))
            hit = self.outcomes[key] = tuple(row) if row else None
        return hit

    def group_of(self, sid: str) -> str | None:
        """The current group of a (non-duplicate) member signal."""
        return self.members.group_of(sid)

    def key_index(self, gkey: str) -> KeyIndex:
        """All members of a group key, sorted."""
        return self.members.key_index(gkey)

    def keys_of_service(self, service: str) -> set[str]:
        """Every group key with a member of this service."""
        return self.members.keys_of_service(service)

    def add_member(self, sid: str, gid: str, gkey: str, service: str | None, keyed: bool,
                   anchor: float, ts: float, fp: str, status: str, entry: str) -> None:
        """Add a member to its group key index and its group."""
        if (gkey, gid) not in self.key_groups:
            self.key_groups.add((gkey, gid))
            self.write("INSERT OR IGNORE INTO noise_key_groups VALUES (?, ?)", (gkey, gid))
        if self.members.add(sid, gid, gkey, service, anchor):
            self.write("INSERT OR IGNORE INTO noise_service_keys VALUES (?, ?)", (service, gkey))
        self.write("INSERT OR REPLACE INTO noise_members VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (sid, gid, gkey, service, int(keyed), anchor, ts, fp, status, entry,
                    self._gen + 1))

    def get_group(self, gid: str) -> GroupRow | None:
        """A group's record."""
        hit = self.groups.get(gid, None if self.complete else _MISSING)
        if hit is _MISSING:
            row = self._one(f"SELECT {GROUP_COLS} FROM noise_groups WHERE group_id = ?",
                            (gid,))
            hit = self.groups[gid] = GroupRow(*row[:10], bool(row[10])) if row else None
        return hit

    def put_group(self, row: GroupRow) -> None:
        """Mark a group record changed (written at flush)."""
        self.groups[row.group_id] = row
        self._dirty_groups[row.group_id] = row

    def resolve_alias(self, gid: str) -> str:
        """The live id of a group that may have been merged or renamed."""
        hit = self.aliases.get(gid, _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT new_id FROM noise_group_alias WHERE old_id = ?", (gid,))
            hit = self.aliases[gid] = row[0] if row else None
        return hit or gid

    def get_alert(self, fp: str, gid: str) -> tuple[str, float, bool] | None:
        """(status, ts, muted) of an alert inside one group."""
        hit = self.alerts.get((fp, gid), None if self.complete else _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT status, ts, muted FROM noise_alerts WHERE fingerprint = ? "
                            "AND group_id = ?", (fp, gid))
            hit = self.alerts[(fp, gid)] = (row[0], row[1], bool(row[2])) if row else None
        return hit

    def latest_alert(self, fp: str) -> tuple[float, str] | None:
        """(ts, status) of the newest state of an alert across groups."""
        hit = self.alert_latest.get(fp, None if self.complete else _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT ts, status FROM noise_alerts WHERE fingerprint = ? "
                            "ORDER BY ts DESC, status = 'resolved' DESC LIMIT 1", (fp,))
            hit = self.alert_latest[fp] = (row[0], row[1]) if row else None
        return hit

    def put_alert(self, fp: str, gid: str, status: str, ts: float, sid: str,
                  muted: bool) -> None:
        """Record an alert's state in its group (and as newest when it is)."""
        self.alerts[(fp, gid)] = (status, ts, muted)
        latest = self.latest_alert(fp)
        if latest is None or (ts, status == "resolved") >= (latest[0], latest[1] == "resolved"):
            self.alert_latest[fp] = (ts, status)
        self.write("INSERT OR REPLACE INTO noise_alerts VALUES (?,?,?,?,?,?)",
                   (fp, gid, status, ts, sid, int(muted)))

    def inhibit_sources(self, rule: int, eqkey: str) -> dict[str, tuple[int, str, float]]:
        """fingerprint → (both_sides, name, since) of firing sources of a rule and eqkey."""
        hit = self.inhibit.get((rule, eqkey))
        if hit is None:
            rows = self.conn.execute(
                "SELECT fingerprint, both_sides, name, since FROM noise_inhibit_src "
                "WHERE rule = ? AND eqkey = ?", (rule, eqkey))
            hit = self.inhibit[(rule, eqkey)] = {r[0]: (r[1], r[2], r[3]) for r in rows}
        return hit

    def set_inhibit_source(self, rule: int, eqkey: str, fp: str,
                           entry: tuple[int, str, float] | None) -> None:
        """Add (entry) or remove (None) a firing source."""
        sources = self.inhibit_sources(rule, eqkey)
        if entry is None:
            if sources.pop(fp, None) is not None:
                self._dirty_inhibit[(rule, eqkey, fp)] = None
            return
        sources[fp] = entry
        self._dirty_inhibit[(rule, eqkey, fp)] = entry

    def get_flap(self, fp: str) -> tuple[list, bool] | None:
        """(events, flapping) of an alert."""
        hit = self.flaps.get(fp, None if self.complete else _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT events, flapping FROM noise_flaps WHERE fingerprint = ?",
                            (fp,))
            hit = self.flaps[fp] = (parse_events(row[0]), bool(row[1])) \
                if row else None
        return hit

    def put_flap(self, fp: str, events: list, flapping: bool) -> None:
        """Store an alert's recent state changes (serialized once at flush)."""
        self.flaps[fp] = (events, flapping)
        self._dirty_flaps.add(fp)

    def get_baseline(self, series: str, loads: Any) -> Any:
        """A metric series' baseline (parsed with `loads`), or None."""
        hit = self.baselines.get(series, _MISSING)
        if hit is _MISSING:
            row = self._one("SELECT body FROM noise_baselines WHERE series = ?", (series,))
            hit = self.baselines[series] = loads(row[0]) if row else None
        return hit

    def put_baseline(self, series: str, value: Any) -> None:
        """Mark a baseline changed (serialized once at flush)."""
        self.baselines[series] = value
        self._dirty_baselines[series] = value

    def add_timeline(self, gid: str, ts: float, sid: str, entry: str) -> None:
        """Append one entry to a group's timeline."""
        self.write("INSERT INTO noise_timeline VALUES (?,?,?,?)", (gid, ts, sid, entry))


def events_text(events: list[tuple[float, str]]) -> str:
    """Flap events as stored: `time,status` pairs (exact float repr) joined by ';'."""
    return ";".join([f"{t!r},{status}" for t, status in events])


def parse_events(text: str) -> list[tuple[float, str]]:
    """Inverse of `events_text`."""
    out = []
    for item in text.split(";") if text else ():
        t, status = item.split(",")
        out.append((float(t), status))
    return out
