"""Read models of the noise state: group info, open groups and the group timeline."""

from __future__ import annotations

import sqlite3

from agent.noise.keys import from_epoch
from agent.noise.schema import GROUP_ALERTS
from agent.noise.types import GroupInfo, TimelineEntry


def current_group(conn: sqlite3.Connection, group_id: str) -> str:
    """The live id of a group that may have been merged into another one."""
    row = conn.execute("SELECT new_id FROM noise_group_alias WHERE old_id = ?",
                       (group_id,)).fetchone()
    return row[0] if row else group_id


def load_group(conn: sqlite3.Connection, group_id: str) -> GroupInfo | None:
    """Everything known about one group, or None."""
    gid = current_group(conn, group_id)
    row = conn.execute("SELECT group_id, gkey, service, first_anchor, last_ts, kind, priority, "
                       "status FROM noise_groups WHERE group_id = ?", (gid,)).fetchone()
    if row is None:
        return None
    members = [r[0] for r in conn.execute(
        "SELECT signal_id FROM noise_members WHERE group_id = ? ORDER BY anchor, signal_id",
        (gid,))]
    firing = sorted(r[0] for r in conn.execute(GROUP_ALERTS, (gid,)) if r[1] == "firing")
    aliases = [r[0] for r in conn.execute(
        "SELECT old_id FROM noise_group_alias WHERE new_id = ? ORDER BY old_id", (gid,))]
    arrivals = conn.execute("SELECT ts, 0, signal_id, entry FROM noise_members "
                            "WHERE group_id = ?", (gid,)).fetchall()
    decided = conn.execute("SELECT ts, rowid, signal_id, entry FROM noise_timeline "
                           "WHERE group_id = ?", (gid,)).fetchall()
    timeline = [TimelineEntry(from_epoch(r[0]), r[2], r[3])
                for r in sorted([*arrivals, *decided], key=lambda r: (r[0], r[1], r[2]))]
    return GroupInfo(group_id=row[0], group_key=row[1], service=row[2], kind=row[5],
                     priority=row[6], status=row[7], first_at=from_epoch(row[3]),
                     last_at=from_epoch(row[4]), signal_ids=members, firing=firing,
                     aliases=aliases, timeline=timeline)


def open_groups(conn: sqlite3.Connection, kind: str | None = None) -> list[GroupInfo]:
    """Open groups (optionally of one kind), most recent activity first."""
    sql, args = "SELECT group_id FROM noise_groups WHERE status = 'open'", ()
    if kind:
        sql, args = sql + " AND kind = ?", (kind,)
    ids = [r[0] for r in conn.execute(sql + " ORDER BY last_ts DESC, group_id", args)]
    return [g for g in (load_group(conn, i) for i in ids) if g is not None]
