"""Grouping and correlation: signals linked by group key (or service) within a window.

Groups are the connected components of a link relation, so the final set of groups does not
depend on delivery order: two signals link when they share a group key and their start times lie
within `group_window`, or when one of them is keyless (ticket, log, chat, metric sample) and both
belong to the same service within the window. A new signal that links several groups merges
them. A group's id is a hash of the key and start time of its earliest member, so a group whose
earliest member arrives late is renamed and the old id is kept as an alias.

Because all members of one key within the window of each other share a group, the nearest
member before and after a signal (per key) is enough to find every group it links to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from agent.noise.keys import correlates, group_id_for
from agent.noise.records import GroupRow
from agent.noise.schema import GROUP_ALERTS
from agent.noise.state import NoiseState

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


def later_state(a: tuple[float, str], b: tuple[float, str]) -> bool:
    """True when alert state `a` (time, status) supersedes `b`; a resolve wins a tie."""
    return (a[0], a[1] == "resolved") > (b[0], b[1] == "resolved")


def _linked_groups(state: NoiseState, m: Member, window: float, correlate: bool) -> set[str]:
    keys = {m.gkey}
    if correlate and m.service and correlates(m.gkey):
        keys |= {f"service={m.service}"} if m.keyed else state.keys_of_service(m.service)
    found = set()
    for key in keys:
        for sid in state.key_index(key).neighbours(m.anchor, window):
            found.add(state.member_group[sid])
    return found


def place(state: NoiseState, m: Member, window: float, correlate: bool) -> Placement:
    """Find or make the member's group (creating, renaming or merging groups).

    The caller adds the member itself (`NoiseState.add_member`) once its timeline entry is known.
    """
    linked = _linked_groups(state, m, window, correlate)
    row = state.get_group(next(iter(linked))) if len(linked) == 1 else None
    merged: list[str] = []
    if row is None or (row.first_anchor, row.gkey) > (m.anchor, m.gkey):
        # not the common case of joining the one group it follows: find the head
        rows = [r for r in (state.get_group(g) for g in linked) if r is not None]
        heads = [(m.anchor, m.gkey, m.service)] + [(r.first_anchor, r.gkey, r.service)
                                                   for r in rows]
        anchor, gkey, service = min(heads, key=lambda h: (h[0], h[1]))
        target = group_id_for(gkey, anchor)
        merged = sorted(linked - {target})
        if merged:  # rare: flush, merge in SQL, then update the cache
            state.flush()
            merge_groups(state.conn, merged, target, (gkey, service, anchor), state.seq)
            state.after_merge(merged, target)
        row = state.get_group(target) or GroupRow(target, gkey, service, anchor, m.ts)
    row.last_ts = max(row.last_ts, m.ts)
    row.service = row.service or m.service
    row.multi = row.multi or row.gkey != m.gkey
    state.put_group(row)
    new_group = not linked
    return Placement(row.group_id, new_group, row.multi and not new_group, merged)


def merge_groups(conn: sqlite3.Connection, olds: list[str], new: str,
                 head: tuple[str, str | None, float], seq: int = 0) -> None:
    """Move the members, alerts and timeline of `olds` into `new` and alias the old ids.

    Moved member rows are stamped with `seq` (the committing generation) for other writers.
    """
    cols = "gkey, kind, priority, last_notify, last_ts, multi"
    rows = [conn.execute(f"SELECT {cols} FROM noise_groups WHERE group_id = ?", (g,)).fetchone()
            for g in [*olds, new]]
    rows = [r for r in rows if r is not None]
    kind = max((r[1] for r in rows), key=lambda k: KIND_RANK.get(k, 0))
    prios = [r[2] for r in rows if r[2]]
    notifies = [r[3] for r in rows if r[3] is not None]
    multi = any(r[5] for r in rows) or len({r[0] for r in rows}) > 1
    for old in olds:
        moving = conn.execute(GROUP_ALERTS, (old,)).fetchall()  # before its members move
        conn.execute("UPDATE noise_members SET group_id = ?, seq = ? WHERE group_id = ?",
                     (new, seq, old))
        conn.execute("UPDATE noise_timeline SET group_id = ? WHERE group_id = ?", (new, old))
        conn.execute("INSERT OR IGNORE INTO noise_key_groups SELECT gkey, ? FROM "
                     "noise_key_groups WHERE group_id = ?", (new, old))
        conn.execute("DELETE FROM noise_key_groups WHERE group_id = ?", (old,))
        for fp, status, ts, sid, muted in moving:
            kept = conn.execute("SELECT status, ts FROM noise_alerts WHERE fingerprint = ? "
                                "AND group_id = ?", (fp, new)).fetchone()
            if kept is None or later_state((ts, status), (kept[1], kept[0])):
                conn.execute("INSERT OR REPLACE INTO noise_alerts VALUES (?,?,?,?,?,?)",
                             (fp, new, status, ts, sid, muted))
        conn.executemany("DELETE FROM noise_alerts WHERE fingerprint = ? AND group_id = ?",
                         [(r[0], old) for r in moving])
        conn.execute("UPDATE noise_group_alias SET new_id = ? WHERE new_id = ?", (new, old))
        conn.execute("INSERT OR REPLACE INTO noise_group_alias VALUES (?, ?)", (old, new))
        conn.execute("DELETE FROM noise_groups WHERE group_id = ?", (old,))
    alerts = conn.execute(GROUP_ALERTS, (new,)).fetchall()
    n_alerts, n_firing = len(alerts), sum(r[1] == "firing" for r in alerts)
    gkey, service, anchor = head
    row = GroupRow(new, gkey, service, anchor, max(r[4] for r in rows), kind,
                   min(prios, key=lambda p: PRIORITY_RANK.get(p, 9)) if prios else None,
                   max(notifies) if notifies else None, n_alerts, n_firing, multi)
    conn.execute(
        "INSERT OR REPLACE INTO noise_groups (group_id, gkey, service, first_anchor, last_ts, "
        "kind, priority, last_notify, n_alerts, n_firing, multi, status) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (row.group_id, row.gkey, row.service, row.first_anchor, row.last_ts, row.kind,
         row.priority, row.last_notify, row.n_alerts, row.n_firing, int(row.multi), row.status))
