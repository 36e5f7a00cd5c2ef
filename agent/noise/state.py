"""The noise gate's hot state: in-memory indexes over its SQLite tables with write-behind.

Reads are served from memory and loaded from SQLite on a miss; writes are buffered and flushed
with `executemany` when the transaction commits. Every commit that changes the noise tables
bumps a generation counter (`noise_meta.gen`) and stamps the member rows it writes with it, so
at the start of each transaction (`PRAGMA data_version`, then the counter) the state tells apart
commits to other tables (the cache stays), commits of another noise writer (row caches are
dropped, the member index takes the new rows as a delta) and a prune (everything reloads).
"""

from __future__ import annotations

import sqlite3

from agent.noise.records import GroupRow
from agent.noise.row_cache import GROUP_COLS, RowCache, events_text, parse_events
from agent.noise.schema import GROUP_ALERTS

EAGER_AFTER = 20  # quiet transactions before the row tables may be loaded whole again
EAGER_MAX_ROWS = 200_000
LAZY_CACHE_MAX = 200_000  # outcomes kept in memory before a reset


class NoiseState(RowCache):
    """Cached, write-behind access to the noise tables; use inside begin()/commit()."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self._version: int | None = None
        self._epoch = 0
        self._quiet = 0  # transactions since another noise writer last committed

    # ---- transaction ------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """The generation the current transaction commits (stamped on member rows it moves)."""
        return self._gen + 1

    def begin(self) -> bool:
        """BEGIN IMMEDIATE; True when another connection committed since the last transaction."""
        self.conn.execute("BEGIN IMMEDIATE")
        self._wrote = False
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._version
        if changed:
            meta = dict(self.conn.execute(
                "SELECT key, value FROM noise_meta WHERE key IN ('gen', 'epoch')").fetchall())
            gen, epoch = meta.get("gen", 0), meta.get("epoch", 0)
            if self._version is None or epoch != self._epoch:
                self.clear()
                self.members.clear()
                self.members.load_all()
                self._load_all()
            elif gen != self._gen:  # another noise writer: drop rows, take its members
                self.clear()
                self.members.apply(self.members.since(self._gen))
                self._quiet = 0
            self._version, self._gen, self._epoch = version, gen, epoch
        self._quiet += 1
        if not self.complete and self._quiet == EAGER_AFTER:
            self._load_all()
        return changed

    def reload(self) -> None:
        """Drop the cache and load the hot tables again (after bulk changes in SQL)."""
        self.clear()
        self.members.clear()
        self.members.load_all()
        self._load_all()

    def bump_epoch(self) -> None:
        """Tell every other noise writer to reload (rows were deleted in bulk)."""
        self._epoch += 1
        self.conn.execute("INSERT INTO noise_meta VALUES ('epoch', ?) ON CONFLICT(key) "
                          "DO UPDATE SET value = excluded.value", (self._epoch,))

    def _load_all(self) -> None:
        """Load the small hot tables whole, so a miss means absent (single-writer fast path)."""
        total = sum(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("noise_dedup", "noise_alerts", "noise_flaps", "noise_groups"))
        if total > EAGER_MAX_ROWS:
            return
        self.dedup = {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT key, signal_id, ts FROM noise_dedup")}
        for fp, gid, status, ts, muted in self.conn.execute(
                "SELECT fingerprint, group_id, status, ts, muted FROM noise_alerts"):
            self.alerts[(fp, gid)] = (status, ts, bool(muted))
            latest = self.alert_latest.get(fp)
            if latest is None or (ts, status == "resolved") > (latest[0],
                                                              latest[1] == "resolved"):
                self.alert_latest[fp] = (ts, status)
        self.flaps = {r[0]: (parse_events(r[1]), bool(r[2]))
                      for r in self.conn.execute("SELECT * FROM noise_flaps")}
        self.groups = {r[0]: GroupRow(*r[:10], bool(r[10])) for r in self.conn.execute(
            f"SELECT {GROUP_COLS} FROM noise_groups")}
        self.complete = True

    def commit(self) -> None:
        """Flush buffered writes, bump the generation when anything changed, and commit."""
        self.flush()
        if self._wrote:
            self.conn.execute("INSERT INTO noise_meta VALUES ('gen', ?) ON CONFLICT(key) "
                              "DO UPDATE SET value = excluded.value", (self._gen + 1,))
        self.conn.execute("COMMIT")
        if self._wrote:
            self._gen += 1
        if len(self.outcomes) > LAZY_CACHE_MAX:
            self.outcomes.clear()
        self.members.bounded()

    def rollback(self) -> None:
        """Roll back and forget the cache (it may hold uncommitted changes)."""
        self._drop_pending()
        self.conn.execute("ROLLBACK")
        self.clear()
        self.members.clear()
        self._version = None

    def flush(self) -> None:
        """Write everything buffered: final rows of changed records, then queued inserts."""
        for row in self._dirty_groups.values():
            self.write(f"INSERT OR REPLACE INTO noise_groups ({GROUP_COLS}, status) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (row.group_id, row.gkey, row.service, row.first_anchor, row.last_ts,
                        row.kind, row.priority, row.last_notify, row.n_alerts, row.n_firing,
                        int(row.multi), row.status))
        for series, body in self._dirty_baselines.items():
            self.write("INSERT OR REPLACE INTO noise_baselines VALUES (?, ?)",
                       (series, body.dumps()))
        for fp in self._dirty_flaps:
            events, flapping = self.flaps[fp]  # type: ignore[misc]
            self.write("INSERT OR REPLACE INTO noise_flaps VALUES (?,?,?)",
                       (fp, events_text(events), int(flapping)))
        for (rule, eqkey, fp), entry in self._dirty_inhibit.items():
            if entry is None:
                self.write("DELETE FROM noise_inhibit_src WHERE rule = ? AND eqkey = ? "
                           "AND fingerprint = ?", (rule, eqkey, fp))
            else:
                self.write("INSERT OR REPLACE INTO noise_inhibit_src VALUES (?,?,?,?,?,?)",
                           (rule, eqkey, fp, *entry))
        for sql, rows in self._pending.items():
            if len(rows) == 1:
                self.conn.execute(sql, rows[0])
            else:
                self.conn.executemany(sql, rows)
        self._drop_pending()

    def after_merge(self, olds: list[str], new: str) -> None:
        """Bring the cache in line with a merge that `merge_groups` just did in SQL."""
        self._wrote = True
        self.key_groups.clear()  # the merge moved the old groups' rows to `new`
        gone = set(olds)
        for old in olds:
            self.groups[old] = None
            self.aliases[old] = new
        for k, v in list(self.aliases.items()):
            if v in gone:
                self.aliases[k] = new
        row = self._one(f"SELECT {GROUP_COLS} FROM noise_groups WHERE group_id = ?", (new,))
        self.groups[new] = GroupRow(*row[:10], bool(row[10]))
        member_group = self.members.member_group
        for (sid,) in self.conn.execute("SELECT signal_id FROM noise_members WHERE group_id = ?",
                                        (new,)):
            if sid in member_group:
                member_group[sid] = new
        for key in [k for k in self.alerts if k[1] in gone or k[1] == new]:
            del self.alerts[key]
        for fp, status, ts, _, muted in self.conn.execute(GROUP_ALERTS, (new,)):
            self.alerts[(fp, new)] = (status, ts, bool(muted))
