"""The in-memory member index of the noise gate, backed by the `noise_members` table.

Group key → members sorted by anchor, member → group, service → correlating group keys. It is
loaded once (whole when small, else one group key at a time) and then kept current: our own
writes update it directly, and rows other connections committed are applied as a delta (every
member row carries the `seq` of the commit that wrote or moved it), so a busy shared file never
forces a reload of every member. A group key's members are found through the small
`noise_key_groups` table (group key → groups holding members of it) and the members' group
index, so a member insert touches no per-key index page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from agent.noise.keys import correlates
from agent.noise.records import KeyIndex

MAX_MEMBERS = 200_000  # members held in memory before the index falls back to per-key loading
_COLS = "gkey, anchor, signal_id, group_id, service"


class MemberIndex:
    """Members by group key, group by member and group keys by service."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.clear()

    def clear(self) -> None:
        """Forget everything (reloads on demand)."""
        self.keys: dict[str, KeyIndex] = {}
        self.member_group: dict[str, str] = {}
        self.service_keys: dict[str, set[str]] = {}
        self.complete = False  # every member row is in memory: a miss means absent

    def load_all(self) -> bool:
        """Load every member when there are at most MAX_MEMBERS; True when loaded."""
        count = self.conn.execute("SELECT COUNT(*) FROM noise_members").fetchone()[0]
        if count > MAX_MEMBERS:
            return False
        self.clear()
        rows = self.conn.execute(f"SELECT {_COLS} FROM noise_members "
                                 "ORDER BY gkey, anchor, signal_id").fetchall()
        for gkey, anchor, sid, gid, service in rows:
            idx = self.keys.get(gkey)
            if idx is None:
                idx = self.keys[gkey] = KeyIndex()
            idx.anchors.append(anchor)
            idx.sids.append(sid)
            self.member_group[sid] = gid
            if service and correlates(gkey):
                self.service_keys.setdefault(service, set()).add(gkey)
        self.complete = True
        return True

    def apply(self, rows: Iterable[tuple]) -> None:
        """Apply member rows another connection committed (new members or moved by a merge)."""
        for gkey, anchor, sid, gid, service in rows:
            if sid in self.member_group:  # moved to another group by a merge
                self.member_group[sid] = gid
                continue
            if gkey in self.keys or self.complete:
                self.key_index(gkey).add(anchor, sid)
                self.member_group[sid] = gid
            if service and correlates(gkey):
                found = self.service_keys.get(service)
                if found is not None:
                    found.add(gkey)
                elif self.complete:
                    self.service_keys[service] = {gkey}

    def since(self, seq: int) -> list[tuple]:
        """Member rows written or moved by commits after `seq`."""
        return self.conn.execute(f"SELECT {_COLS} FROM noise_members WHERE seq > ? "
                                 "ORDER BY seq, anchor, signal_id", (seq,)).fetchall()

    def key_index(self, gkey: str) -> KeyIndex:
        """All members of a group key, sorted (loaded once, then kept current)."""
        idx = self.keys.get(gkey)
        if idx is None:
            idx = self.keys[gkey] = KeyIndex()
            if not self.complete:
                for anchor, sid, gid in self.conn.execute(  # the key's groups, then members
                        "SELECT m.anchor, m.signal_id, m.group_id FROM noise_key_groups k "
                        "JOIN noise_members m ON m.group_id = k.group_id WHERE k.gkey = ? "
                        "AND m.gkey = ? ORDER BY m.anchor, m.signal_id", (gkey, gkey)):
                    idx.anchors.append(anchor)
                    idx.sids.append(sid)
                    self.member_group[sid] = gid
        return idx

    def keys_of_service(self, service: str) -> set[str]:
        """Every correlating group key with a member of this service."""
        found = self.service_keys.get(service)
        if found is None:
            found = self.service_keys[service] = set() if self.complete else {
                r[0] for r in self.conn.execute(
                    "SELECT gkey FROM noise_service_keys WHERE service = ?", (service,))}
        return found

    def group_of(self, sid: str) -> str | None:
        """The current group of a member signal, or None."""
        gid = self.member_group.get(sid)
        if gid is None and not self.complete:
            row = self.conn.execute("SELECT group_id FROM noise_members WHERE signal_id = ?",
                                    (sid,)).fetchone()
            gid = row[0] if row else None
        return gid

    def add(self, sid: str, gid: str, gkey: str, service: str | None, anchor: float) -> bool:
        """Add one of our own new members; True when its (service, group key) pair is new."""
        self.key_index(gkey).add(anchor, sid)
        self.member_group[sid] = gid
        if service and correlates(gkey):
            keys = self.keys_of_service(service)
            if gkey not in keys:
                keys.add(gkey)
                return True
        return False

    def bounded(self) -> None:
        """Fall back to per-key loading when the index has grown past MAX_MEMBERS."""
        if len(self.member_group) > MAX_MEMBERS:
            self.clear()
