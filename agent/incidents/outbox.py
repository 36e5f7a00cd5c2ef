"""The escalation outbox: one row per page, written with its timeline entry, sent afterwards.

A row is `pending` when recorded, `sending` while a delivery attempt is under way, then `sent`,
`cancelled` (the incident was acknowledged first) or `failed` (gave up). After a crash, rows
left `sending` are checked with the notifier (`delivered`) before any new attempt, and every
delivery carries the row key as its idempotency key, so nothing is lost or sent twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from agent.incidents.store import IncidentStore

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


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

    def __init__(self, store: IncidentStore) -> None:
        self.store = store

    def has_prefix(self, prefix: str) -> bool:
        """True when any row key starts with `prefix` (a step already recorded)."""
        row = self.store.conn.execute("SELECT 1 FROM incident_outbox WHERE key >= ? AND key < ?"
                                      " LIMIT 1", (prefix, prefix + "\uffff")).fetchone()
        return row is not None

    def add(self, item: OutboxItem, created: datetime) -> bool:
        """Insert inside the caller's transaction; False when the key exists."""
        cur = self.store.conn.execute(
            "INSERT OR IGNORE INTO incident_outbox VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (item.key, item.incident_id, item.kind, item.target,
             json.dumps(item.payload, sort_keys=True, default=str), item.due_at.isoformat(),
             "pending", 0, created.isoformat(), None, None))
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
                           r["state"], r["attempts"], r["error"]) for r in rows]

    def _set(self, key: str, state: str, *, error: str | None = None, attempt: bool = False,
             sent_at: datetime | None = None) -> None:
        with self.store.tx() as conn:
            conn.execute("UPDATE incident_outbox SET state=?, error=?, attempts=attempts+?, "
                         "sent_at=COALESCE(?, sent_at) WHERE key=?",
                         (state, error, 1 if attempt else 0,
                          sent_at.isoformat() if sent_at else None, key))

    def cancel(self, incident_id: str, why: str) -> int:
        """Cancel an incident's pending pages (it was acknowledged)."""
        with self.store.tx() as conn:
            cur = conn.execute("UPDATE incident_outbox SET state='cancelled', error=? WHERE "
                               "incident_id=? AND state='pending' AND kind='page'",
                               (why, incident_id))
        return cur.rowcount

    def deliver(self, notifiers: list[Notifier], now: datetime) -> list[OutboxItem]:
        """Deliver every due pending row (and recover `sending` ones); return those sent."""
        sent: list[OutboxItem] = []
        for item in self.items("pending", "sending"):
            if item.due_at > now:
                continue
            notifier = next((n for n in notifiers if n.handles(item.target_type)), None)
            if notifier is None:
                self._set(item.key, "failed", error=f"no notifier for {item.target_type} targets")
                continue
            if item.state == "sending":
                try:
                    done = notifier.delivered(item)
                except Exception as exc:  # cannot tell: try again on the next pass
                    log.warning("outbox recovery check failed", extra={"key": item.key,
                                                                       "error": str(exc)})
                    continue
                if done:
                    self._set(item.key, "sent", sent_at=now)
                    sent.append(item)
                    continue
            self._set(item.key, "sending", attempt=True)
            try:
                notifier.send(item)
            except Exception as exc:  # retried on the next pass, up to MAX_ATTEMPTS
                state = "failed" if item.attempts + 1 >= MAX_ATTEMPTS else "pending"
                self._set(item.key, state, error=f"{type(exc).__name__}: {exc}"[:300])
                log.warning("page not delivered", extra={"key": item.key, "error": str(exc)})
                continue
            self._set(item.key, "sent", sent_at=now)
            sent.append(item)
        return sent
