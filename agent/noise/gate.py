"""The noise gate: dedup, grouping, suppression, inhibition, flapping and baselines per signal.

Everything runs before any LLM call, takes time from the signal (never the wall clock) and
keeps its state in the shared SQLite database, one `BEGIN IMMEDIATE` transaction per signal
(or per batch), so several workers and processes may share the file.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal
from agent.noise import baseline, flapping, views
from agent.noise.grouping import KIND_RANK, PRIORITY_RANK, Member, later_state, place
from agent.noise.inhibition import Inhibitor
from agent.noise.keys import (
    anchor_time,
    dedup_key,
    epoch,
    event_time,
    group_key,
    is_tracked_alert,
    seconds,
    series_key,
)
from agent.noise.notify import NotifyFacts, notify_rule
from agent.noise.records import OutcomeRow
from agent.noise.schema import GROUP_ALERTS, create_tables
from agent.noise.state import NoiseState
from agent.noise.suppression import SuppressionBook
from agent.noise.types import GroupInfo, NoiseOutcome, Suppression

log = logging.getLogger(__name__)


def _own_connection(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A private connection to the same database file (or `conn` itself for in-memory DBs)."""
    from agent.kernel.db import open_db

    row = conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    if not path:
        return conn
    own = open_db(path)
    own.execute("PRAGMA cache_size = -32768")  # 32 MiB page cache for the hot noise tables
    return own


class NoiseGate:
    """Alert-fatigue measures with Alertmanager semantics, applied to one signal at a time."""

    def __init__(self, conn: sqlite3.Connection, config: OrgConfig) -> None:
        self.conn = _own_connection(conn)
        self.config = config
        self._lock = threading.RLock()
        noise, grouping = config.noise, config.grouping
        self.dedup_window = seconds(noise.dedup_window)
        self.group_window = seconds(noise.group_window)
        self.flap_window = seconds(noise.flap_window)
        self.group_interval = grouping.group_interval.total_seconds()
        self.repeat_interval = grouping.repeat_interval.total_seconds()
        self.knobs = baseline.Knobs(noise.anomaly_sigma, noise.baseline_min_samples,
                                    noise.baseline_alpha, noise.seasonal_min_samples)
        with self._lock:
            create_tables(self.conn)
        self.state = NoiseState(self.conn)
        self.book = SuppressionBook(self.conn, config.maintenance)
        self.inhibitor = Inhibitor(self.state, config.inhibit_rules)

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._lock:
            if self.state.begin():
                self.book.refresh()
            try:
                yield
            except BaseException:
                self.state.rollback()
                raise
            self.state.commit()

    # ---- per-signal processing -------------------------------------------------------------

    def process(self, signal: Signal) -> NoiseOutcome:
        """Dedup, group, suppress, detect flapping and score baselines for one signal."""
        with self._tx():
            return self._process(signal)

    def process_batch(self, signals: list[Signal]) -> list[NoiseOutcome]:
        """`process` for many signals in one transaction (same results, fewer commits)."""
        with self._tx():
            return [self._process(s) for s in signals]

    def _process(self, signal: Signal) -> NoiseOutcome:
        state = self.state
        key, t = dedup_key(signal), epoch(signal.timestamp)
        first = state.get_dedup(key)
        if first and first[0] == signal.signal_id:  # the same signal again (a retried step)
            stored = state.get_outcome(key)
            if stored:
                return _unpack(stored)
        if first and abs(t - first[1]) <= self.dedup_window:
            outcome = self._duplicate(key, first[0])
        else:
            outcome = self._fresh(signal, t)
            state.put_dedup(key, signal.signal_id, t, _pack(outcome))
        if log.isEnabledFor(logging.DEBUG):
            log.debug("noise outcome", extra={
                "signal_id": signal.signal_id, "group_id": outcome.group_id,
                "duplicate_of": outcome.duplicate_of, "suppressed_by": outcome.suppressed_by,
                "notify": outcome.notify, "notify_reason": outcome.notify_reason})
        return outcome

    def _duplicate(self, key: str, original_id: str) -> NoiseOutcome:
        body = self.state.get_outcome(key)
        orig = _unpack(body) if body else NoiseOutcome(group_id="")
        return NoiseOutcome(
            group_id=self.state.resolve_alias(orig.group_id) if orig.group_id else "",
            duplicate_of=original_id, suppressed_by=orig.suppressed_by,
            maintenance=orig.maintenance, flapping=orig.flapping, notify=False,
            notify_reason="duplicate of an earlier delivery")

    def _fresh(self, signal: Signal, t: float) -> NoiseOutcome:
        labels = signal.label_view()
        anchor, et = anchor_time(signal), event_time(signal)
        gkey, keyed = group_key(signal, labels, self.config.grouping.group_by)
        placed = place(self.state, Member(signal.signal_id, gkey, keyed, signal.service, anchor,
                                         et, signal.fingerprint, signal.status),
                       self.group_window, self.config.noise.correlate_services)
        gid = placed.group_id
        suppressed_by, maintenance = None, False
        hit = self.book.match(labels, t)
        if hit:
            suppressed_by, maintenance = f"{hit[0]}:{hit[1]}", hit[0] == "maintenance"
        elif self.inhibitor.rules:
            source = self.inhibitor.inhibited_by(labels, signal.fingerprint, t)
            suppressed_by = f"inhibited:{source}" if source else None
        transition, flap = "", None
        if is_tracked_alert(signal):
            transition = self._track_alert(signal, labels, gid, anchor, et,
                                           suppressed_by is not None)
            if transition != "stale":
                flap = flapping.record(self.state, signal.fingerprint, et, signal.status,
                                       self.config.noise.flap_threshold, self.flap_window)
        anomaly = None
        if signal.metric is not None:
            anomaly = baseline.observe(self.state, series_key(signal), signal.metric.name,
                                       signal.metric.value, et, self.knobs)
        notify, reason = notify_rule(
            NotifyFacts(signal, placed.new_group, suppressed_by, transition, flap, anomaly, et),
            self.state.get_group(gid), self.config, self.group_interval, self.repeat_interval)
        if notify:
            row = self.state.get_group(gid)
            if row is not None:
                row.last_notify = et if row.last_notify is None else max(row.last_notify, et)
                self.state.put_group(row)
        what = f"{signal.status} {signal.title or labels.get('alertname') or signal.source}"
        if suppressed_by:
            what += f" (suppressed: {suppressed_by})"
        self.state.add_member(signal.signal_id, gid, gkey, signal.service, keyed, anchor, et,
                              signal.fingerprint, signal.status, what)
        return NoiseOutcome(group_id=gid, suppressed_by=suppressed_by, maintenance=maintenance,
                            flapping=bool(flap and flap.flapping), notify=notify, anomaly=anomaly,
                            notify_reason=reason, correlated=placed.correlated,
                            new_group=placed.new_group)

    def _track_alert(self, signal: Signal, labels: dict[str, str], gid: str, anchor: float,
                     et: float, suppressed: bool) -> str:
        """Update the alert's state (even when suppressed); return new/changed/same/stale.

        A resolve of an alert whose firing was suppressed returns "cleared": the state is
        updated (inhibition source dropped, group closed) but there is nothing to notify.
        """
        state, fp, status = self.state, signal.fingerprint, signal.status
        prev = state.get_alert(fp, gid)
        if prev and later_state((prev[1], prev[0]), (et, status)):
            return "stale"
        newest = state.latest_alert(fp)
        if newest is None or not later_state(newest, (et, status)):
            self.inhibitor.track(labels, fp, labels.get("alertname") or fp,
                                 status == "firing", anchor)
        muted = suppressed if status == "firing" else bool(prev and prev[2])
        state.put_alert(fp, gid, status, et, signal.signal_id, muted)
        row = state.get_group(gid)
        if row is not None:
            row.n_alerts += prev is None
            row.n_firing += (status == "firing") - (prev is not None and prev[0] == "firing")
            state.put_group(row)
        if prev is None:
            return "new"
        if prev[0] != status:
            return "cleared" if status == "resolved" and prev[2] else "changed"
        return "same"

    # ---- after the decision ------------------------------------------------------------------

    def after_decision(self, signal: Signal, kind: str, decision_priority: str) -> None:
        """Raise the group's kind (event < alert < incident) and priority; extend its timeline."""
        with self._tx():
            gid = self.state.group_of(signal.signal_id)
            if gid is None:  # a duplicate: the group of the first delivery
                first = self.state.get_dedup(dedup_key(signal))
                gid = self.state.group_of(first[0]) if first else None
            if gid is None:
                return
            gid = self.state.resolve_alias(gid)
            row = self.state.get_group(gid)
            if row is None:
                return
            before = row.kind
            if KIND_RANK.get(kind, 0) > KIND_RANK.get(row.kind, 0):
                row.kind = kind
            if row.priority is None or (PRIORITY_RANK.get(decision_priority, 9)
                                        < PRIORITY_RANK.get(row.priority, 9)):
                row.priority = decision_priority
            self.state.put_group(row)
            entry = f"decided {kind} {decision_priority}"
            if row.kind != before:
                entry += f"; group escalated {before} -> {row.kind}"
            self.state.add_timeline(gid, event_time(signal), signal.signal_id, entry)

    # ---- groups ------------------------------------------------------------------------------

    def group(self, group_id: str) -> GroupInfo | None:
        """The group (following merges and renames), or None when unknown."""
        with self._lock:
            return views.load_group(self.conn, group_id)

    def open_groups(self, kind: str | None = None) -> list[GroupInfo]:
        """Groups with alerts still firing (or without alerts), newest first; filter by kind."""
        with self._lock:
            return views.open_groups(self.conn, kind)

    def memberships(self) -> dict[str, str]:
        """signal_id → current group id for every non-duplicate signal seen."""
        with self._lock:
            return {r[0]: r[1] for r in self.conn.execute(
                "SELECT signal_id, group_id FROM noise_members")}

    def prune(self, before: datetime) -> int:
        """Forget dedup keys and closed groups whose last activity is before `before`.

        Open groups and firing alerts are kept; returns the number of groups removed.
        """
        cutoff = epoch(before)
        with self._tx():
            conn = self.conn
            conn.execute("DELETE FROM noise_dedup WHERE ts < ?", (cutoff,))
            old = [r[0] for r in conn.execute(
                "SELECT group_id FROM noise_groups WHERE status = 'resolved' AND last_ts < ?",
                (cutoff,))]
            for gid in old:
                conn.executemany("DELETE FROM noise_alerts WHERE fingerprint = ? AND "
                                 "group_id = ?", [(r[0], gid) for r in
                                                  conn.execute(GROUP_ALERTS, (gid,))])
                for table in ("noise_members", "noise_key_groups", "noise_timeline",
                              "noise_groups"):
                    conn.execute(f"DELETE FROM {table} WHERE group_id = ?", (gid,))
                conn.execute("DELETE FROM noise_group_alias WHERE new_id = ?", (gid,))
            conn.execute("DELETE FROM noise_service_keys WHERE NOT EXISTS (SELECT 1 FROM "
                         "noise_members m WHERE m.gkey = noise_service_keys.gkey AND "
                         "m.service = noise_service_keys.service)")
            conn.execute("DELETE FROM noise_flaps WHERE fingerprint NOT IN "
                         "(SELECT fingerprint FROM noise_alerts)")
            self.state.bump_epoch()
            self.state.reload()
        log.info("noise state pruned", extra={"groups": len(old), "before": before.isoformat()})
        return len(old)

    # ---- runtime windows and silences --------------------------------------------------------

    def add_window(self, matchers: list[str] | dict[str, str], start: datetime, end: datetime,
                   reason: str = "", created_by: str = "") -> Suppression:
        """Declare a maintenance window at run time (matchers as Alertmanager strings)."""
        with self._tx():
            return self.book.add("maintenance", _texts(matchers), start, end, reason, created_by)

    def add_silence(self, matchers: list[str] | dict[str, str], start: datetime, end: datetime,
                    comment: str = "", created_by: str = "") -> Suppression:
        """Add an Alertmanager-style silence over [start, end)."""
        with self._tx():
            return self.book.add("silence", _texts(matchers), start, end, comment, created_by)

    def list_windows(self) -> list[Suppression]:
        """Runtime maintenance windows (config windows live in the YAML)."""
        with self._lock:
            return self.book.list("maintenance")

    def list_silences(self) -> list[Suppression]:
        """Silences, expired ones included."""
        with self._lock:
            return self.book.list("silence")

    def expire(self, suppression_id: str, at: datetime) -> bool:
        """End a runtime window or silence at `at`; False when the id is unknown."""
        with self._tx():
            return self.book.expire(suppression_id, at)


def _pack(o: NoiseOutcome) -> OutcomeRow:
    """A fresh signal's outcome as its dedup row stores it (duplicate_of is always None)."""
    flags = (o.maintenance | o.flapping << 1 | o.notify << 2 | o.correlated << 3
             | o.new_group << 4)
    return (o.group_id, o.suppressed_by, flags, o.anomaly, o.notify_reason)


def _unpack(row: OutcomeRow) -> NoiseOutcome:
    """Inverse of `_pack`."""
    gid, suppressed_by, flags, anomaly, reason = row
    return NoiseOutcome(gid, None, suppressed_by, bool(flags & 1), bool(flags & 2),
                        bool(flags & 4), anomaly, reason, bool(flags & 8), bool(flags & 16))


def _texts(matchers: list[str] | dict[str, str]) -> list[str]:
    if isinstance(matchers, dict):
        return [f'{k}="{v}"' for k, v in matchers.items()]
    return list(matchers)
