"""Grouping and correlation: signals linked by group key (or service) within a window.

Groups are the connected components of a link relation, so the final set of groups does not
depend on delivery order: two signals link when they share a group key and their start times lie
within `group_window`, or when one of them is keyless (ticket, log, chat, metric sample) and both
belong to the same service within the window. A new signal that links several groups merges
them. A group's id is a hash of the key and start time of its earliest member, so a group whose
earliest member arrives late is renamed and the old id is kept as an alias.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from agent.noise.keys import group_id_for

KIND_RANK = {"event": 0, "request": 0, "alert": 1, "incident": 2}
PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5}


@dataclass
class Member:
    """The grouping facts of one (non-duplicate) signal."""

    signal_id: str
    gkey: str
    keyed: bool
    service: str | None
    anchor: float
    ts: float
    fingerprint: str
    status: str


@dataclass
class Placement:
    """Where a member landed: its group, whether it is new, and whether it spans several keys."""

    group_id: str
    new_group: bool
    correlated: bool
    merged: list[str]


def _linked_groups(conn: sqlite3.Connection, m: Member, window: float,
                   correlate: bool) -> tuple[set[str], bool]:
    lo, hi = m.anchor - window, m.anchor + window
    found = {r[0] for r in conn.execute(
        "SELECT DISTINCT group_id FROM noise_members WHERE gkey = ? AND anchor BETWEEN ? AND ?",
        (m.gkey, lo, hi))}
    via_service: set[str] = set()
    if correlate and m.service:
        sql = ("SELECT DISTINCT group_id FROM noise_members WHERE service = ? "
               "AND anchor BETWEEN ? AND ?")
        if m.keyed:
            sql += " AND keyed = 0"
        via_service = {r[0] for r in conn.execute(sql, (m.service, lo, hi))} - found
    return found | via_service, bool(via_service)


def place(conn: sqlite3.Connection, m: Member, window: float, correlate: bool) -> Placement:
    """Insert the member into its group (creating or merging groups); call inside a transaction."""
    linked, correlated = _linked_groups(conn, m, window, correlate)
    heads = [(m.anchor, m.gkey, m.service)]
    for gid in linked:
        row = conn.execute("SELECT first_anchor, gkey, service FROM noise_groups "
                           "WHERE group_id = ?", (gid,)).fetchone()
        heads.append((row[0], row[1], row[2]))
    anchor, gkey, service = min(heads, key=lambda h: (h[0], h[1]))
    target = group_id_for(gkey, anchor)
    new_group = not linked
    if conn.execute("SELECT 1 FROM noise_groups WHERE group_id = ?", (target,)).fetchone() is None:
        conn.execute("INSERT INTO noise_groups (group_id, gkey, service, first_anchor, last_ts) "
                     "VALUES (?,?,?,?,?)", (target, gkey, service, anchor, m.ts))
    merged = sorted(linked - {target})
    for old in merged:
        _merge_into(conn, old, target)
    conn.execute(
        "INSERT OR REPLACE INTO noise_members VALUES (?,?,?,?,?,?,?,?,?)",
        (m.signal_id, target, m.gkey, m.service, int(m.keyed), m.anchor, m.ts, m.fingerprint,
         m.status))
    conn.execute("UPDATE noise_groups SET last_ts = MAX(last_ts, ?), "
                 "service = COALESCE(service, ?) WHERE group_id = ?", (m.ts, m.service, target))
    correlated = correlated or (not new_group and conn.execute(
        "SELECT 1 FROM noise_members WHERE group_id = ? AND gkey != ? LIMIT 1",
        (target, m.gkey)).fetchone() is not None)
    return Placement(target, new_group, correlated and not new_group, merged)


def _merge_into(conn: sqlite3.Connection, old: str, new: str) -> None:
    row = conn.execute("SELECT kind, priority, last_notify, last_ts FROM noise_groups "
                       "WHERE group_id = ?", (old,)).fetchone()
    cur = conn.execute("SELECT kind, priority, last_notify FROM noise_groups WHERE group_id = ?",
                       (new,)).fetchone()
    kind = max(row[0], cur[0], key=lambda k: KIND_RANK.get(k, 0))
    prios = [p for p in (row[1], cur[1]) if p]
    priority = min(prios, key=lambda p: PRIORITY_RANK.get(p, 9)) if prios else None
    notifies = [n for n in (row[2], cur[2]) if n is not None]
    conn.execute("UPDATE noise_groups SET kind = ?, priority = ?, last_notify = ?, "
                 "last_ts = MAX(last_ts, ?) WHERE group_id = ?",
                 (kind, priority, max(notifies) if notifies else None, row[3], new))
    for table in ("noise_members", "noise_timeline"):
        conn.execute(f"UPDATE {table} SET group_id = ? WHERE group_id = ?", (new, old))
    for fp, status, ts, sid in conn.execute(
            "SELECT fingerprint, status, ts, signal_id FROM noise_alerts WHERE group_id = ?",
            (old,)).fetchall():
        kept = conn.execute("SELECT status, ts FROM noise_alerts WHERE fingerprint = ? "
                            "AND group_id = ?", (fp, new)).fetchone()
        if kept is None or later_state((ts, status), (kept[1], kept[0])):
            conn.execute("INSERT OR REPLACE INTO noise_alerts VALUES (?,?,?,?,?)",
                         (fp, new, status, ts, sid))
    conn.execute("DELETE FROM noise_alerts WHERE group_id = ?", (old,))
    conn.execute("UPDATE noise_group_alias SET new_id = ? WHERE new_id = ?", (new, old))
    conn.execute("INSERT OR REPLACE INTO noise_group_alias VALUES (?, ?)", (old, new))
    conn.execute("DELETE FROM noise_groups WHERE group_id = ?", (old,))


def later_state(a: tuple[float, str], b: tuple[float, str]) -> bool:
    """True when alert state `a` (time, status) supersedes `b`; a resolve wins a tie."""
    return (a[0], a[1] == "resolved") > (b[0], b[1] == "resolved")


def resolve_alias(conn: sqlite3.Connection, group_id: str) -> str:
    """The current id of a group that may have been merged or renamed."""
    row = conn.execute("SELECT new_id FROM noise_group_alias WHERE old_id = ?",
                       (group_id,)).fetchone()
    return row[0] if row else group_id


def refresh_status(conn: sqlite3.Connection, group_id: str) -> str:
    """Recompute open/resolved: resolved once it has alerts and none of them is firing."""
    counts = conn.execute(
        "SELECT COUNT(*), SUM(status = 'firing') FROM noise_alerts WHERE group_id = ?",
        (group_id,)).fetchone()
    status = "resolved" if counts[0] and not counts[1] else "open"
    conn.execute("UPDATE noise_groups SET status = ? WHERE group_id = ?", (status, group_id))
    return status
