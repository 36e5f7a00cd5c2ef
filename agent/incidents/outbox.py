"""The escalation outbox: one row per page, written with its timeline entry, sent afterwards.

A row is `pending` when recorded, `sending` while a delivery attempt is under way, then `sent`,
`cancelled` (the incident was acknowledged first) or `failed` (gave up). Sending a row starts
with an atomic claim (compare-and-set on its state and attempt count, stamped with the claim
time), so of two ticks or two workers racing for a row only one sends it. A row left `sending`
is recovered once its sender is known dead (the claim names its process: same host, pid gone,
`agent.kernel.owner`) or else after its lease (`LEASE`, on the injected clock), and is first
checked with the notifier (`delivered`): Slack finds the earlier post by its
metadata key and never posts twice. A generic webhook cannot be asked, so it is sent again
under the same `Idempotency-Key`: at-least-once, and the receiver contract
(docs/escalation-webhooks.md) is to deduplicate by that key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from agent.incidents.store import IncidentStore
from agent.kernel.faults import fault_at
from agent.kernel.owner import holder, holder_gone

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF = timedelta(seconds=5)  # after attempt n fails the row waits BACKOFF * 2**(n-1)
MAX_BACKOFF = timedelta(minutes=5)
LEASE = timedelta(minutes=2)  # longer than any single send (httpx 5 s, Slack 30 s)
# test-only kill points (docs/testing.md), for the row key: claimed and not yet sent; sent and
# not yet marked sent
FAULT_POINTS = ["outbox_send", "outbox_record"]


class Undeliverable(Exception):
    """A delivery that can never succeed as configured (e.g. refused by the egress policy)."""


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed attempt."""
    return min(BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


@dataclass(frozen=True)
class OutboxItem:
    """One notification to deliver."""

    key: str
    incident_id: str
    kind: str  # "page" | "status"
    target: str  # "slack_user:U…", "slack_group:S…", "slack_channel:#…", "webhook:https://…"
    payload: dict[str, Any]
    due_at: datetime
    state: str = "pending"
    attempts: int = 0
    error: str | None = None
    claimed_at: datetime | None = None
    claimed_by: str | None = None  # the claiming process (`agent.kernel.owner.holder`)

    @property
    def target_type(self) -> str:
        """The part before the first colon of `target`."""
        return self.target.split(":", 1)[0]

    @property
    def address(self) -> str:
        """The part after the first colon of `target`."""
        return self.target.split(":", 1)[1]


class Notifier(Protocol):
    """Delivers outbox items of the target types it handles."""

    def handles(self, target_type: str) -> bool:
        """True for target types this notifier delivers."""
        ...

    def send(self, item: OutboxItem) -> None:
        """Deliver once (raise on failure); pass `item.key` as the idempotency key."""
        ...

    def delivered(self, item: OutboxItem) -> bool:
        """After a crash: did an attempt for `item.key` reach its target?"""
        ...


class Outbox:
    """Rows of `incident_outbox` in the incident store's database."""

    def __init__(self, store: IncidentStore, lease: timedelta = LEASE) -> None:
        self.store, self.lease = store, lease

    def has_prefix(self, prefix: str) -> bool:
        """True when any row key starts with `prefix` (a step already recorded)."""
        row = self.store.conn.execute("SELECT 1 FROM incident_outbox WHERE key >= ? AND key < ?"
                                      " LIMIT 1", (prefix, prefix + "\uffff")).fetchone()
        return row is not None

    def add(self, item: OutboxItem, created: datetime) -> bool:
        """Insert inside the caller's transaction; False when the key exists."""
        cur = self.store.conn.execute(
            "INSERT OR IGNORE INTO incident_outbox (key, incident_id, kind, target, payload, "
            "due_at, state, attempts, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (item.key, item.incident_id, item.kind, item.target,
             json.dumps(item.payload, sort_keys=True, default=str), item.due_at.isoformat(),
             "pending", 0, created.isoformat()))
        return cur.rowcount == 1

    def items(self, *states: str, incident_id: str | None = None) -> list[OutboxItem]:
        """Rows in the given states (all when none), oldest due first."""
        where, params = [], []
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            params += list(states)
        if incident_id:
            where.append("incident_id = ?")
            params.append(incident_id)
        sql = "SELECT * FROM incident_outbox" + (f" WHERE {' AND '.join(where)}" if where else "")
        with self.store.lock:
            rows = self.store.conn.execute(sql + " ORDER BY due_at, key", params).fetchall()
        return [OutboxItem(r["key"], r["incident_id"], r["kind"], r["target"],
                           json.loads(r["payload"]), datetime.fromisoformat(r["due_at"]),
                           r["state"], r["attempts"], r["error"],
                           datetime.fromisoformat(r["claimed_at"]) if r["claimed_at"] else None,
                           r["claimed_by"])
                for r in rows]

    def claim(self, item: OutboxItem, now: datetime) -> OutboxItem | None:
        """Take the row for one delivery attempt; None when another sender holds or took it.

        A `pending` row is claimed at once; a `sending` row once its sender is known dead
        (a process of this host that is gone) or its lease lapsed. The UPDATE matches the state
        and attempt count read before, so of two racing senders exactly one wins.
        """
        if item.state == "sending" and item.claimed_at is not None \
                and now < item.claimed_at + self.lease and not holder_gone(item.claimed_by):
            return None
        me = holder()
        with self.store.tx() as conn:
            cur = conn.execute("UPDATE incident_outbox SET state='sending', attempts=attempts+1,"
                               " claimed_at=?, claimed_by=? WHERE key=? AND state=? AND "
                               "attempts=?",
                               (now.isoformat(), me, item.key, item.state, item.attempts))
        if cur.rowcount != 1:
            return None
        return replace(item, state="sending", attempts=item.attempts + 1, claimed_at=now,
                       claimed_by=me)

    def mark_sent(self, item: OutboxItem, now: datetime) -> bool:
        """Commit a delivery of a claimed row; False when the claim had been taken over."""
        with self.store.tx() as conn:
            cur = conn.execute("UPDATE incident_outbox SET state='sent', sent_at=?, error=NULL "
                               "WHERE key=? AND state='sending' AND attempts=?",
                               (now.isoformat(), item.key, item.attempts))
        return cur.rowcount == 1

    def release(self, item: OutboxItem, error: str, now: datetime, *,
                final: bool = False) -> None:
        """A claimed attempt failed: `pending` again after a backoff, or `failed` after
        MAX_ATTEMPTS (at once when `final`)."""
        state = "failed" if final or item.attempts >= MAX_ATTEMPTS else "pending"
        retry = max(item.due_at, now + backoff(item.attempts))
        with self.store.tx() as conn:
            conn.execute("UPDATE incident_outbox SET state=?, error=?, due_at=? WHERE key=? AND "
                         "state='sending' AND attempts=?",
                         (state, error[:300], retry.isoformat(), item.key, item.attempts))

    def _fail(self, key: str, error: str) -> None:
        with self.store.tx() as conn:
            conn.execute("UPDATE incident_outbox SET state='failed', error=? WHERE key=?",
                         (error, key))

    def cancel(self, incident_id: str, why: str) -> int:
        """Cancel an incident's pending pages (it was acknowledged)."""
        with self.store.tx() as conn:
            cur = conn.execute("UPDATE incident_outbox SET state='cancelled', error=? WHERE "
                               "incident_id=? AND state='pending' AND kind='page'",
                               (why, incident_id))
        return cur.rowcount

    def deliver(self, notifiers: list[Notifier], now: datetime) -> list[OutboxItem]:
        """Deliver every due pending row (and recover abandoned `sending` ones); return those
        this call sent."""
        sent: list[OutboxItem] = []
        for item in self.items("pending", "sending"):
            if item.due_at > now:
                continue
            notifier = next((n for n in notifiers if n.handles(item.target_type)), None)
            if notifier is None:
                self._fail(item.key, f"no notifier for {item.target_type} targets")
                continue
            claimed = self.claim(item, now)
            if claimed is None:
                continue
            if self._deliver_one(notifier, item.state == "sending", claimed, now):
                sent.append(claimed)
        return sent

    def _deliver_one(self, notifier: Notifier, recovering: bool, item: OutboxItem,
                     now: datetime) -> bool:
        if recovering:
            try:
                done = notifier.delivered(item)
            except Exception as exc:  # cannot tell: the claim stands, retried after its lease
                log.warning("outbox recovery check failed", extra={"key": item.key,
                                                                   "error": str(exc)})
                return False
            if done:
                log.info("page found delivered before a crash", extra={"key": item.key})
                return self.mark_sent(item, now)
        fault_at("outbox_send", item.key)
        try:
            notifier.send(item)
        except Undeliverable as exc:
            self.release(item, f"undeliverable: {exc}", now, final=True)
            log.warning("outbox row undeliverable", extra={"key": item.key, "error": str(exc)})
            return False
        except Exception as exc:  # retried after a backoff, up to MAX_ATTEMPTS
            self.release(item, f"{type(exc).__name__}: {exc}", now)
            log.warning("page not delivered", extra={"key": item.key, "error": str(exc)})
            return False
        fault_at("outbox_record", item.key)
        return self.mark_sent(item, now)
