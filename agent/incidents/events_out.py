"""Incident events out: CloudEvents 1.0 (CDEvents incident types) to a configured URL.

The exporter tails the incident timeline (a durable log): on every tick it turns timeline
entries past its cursor into outbox rows and advances the cursor in one transaction, so an
entry committed just before a crash is still exported afterwards and none is exported twice.
Rows go through the escalation outbox (atomic claims, lease, up to 5 attempts with backoff).
Each event's `id` is its row key, stable across redeliveries: receivers deduplicate on
(`source`, `id`) as CloudEvents requires. Bodies are signed per Standard Webhooks
(`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), and the
destination must pass the egress policy (the `targets` inventory) before anything is sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agent.config.escalation import EventsOut
from agent.incidents.model import TimelineEntry
from agent.incidents.outbox import Outbox, OutboxItem, Undeliverable
from agent.incidents.store import IncidentStore
from agent.incidents.views import incident_dict
from tools.egress import EgressDenied, EgressPolicy
from tools.egress_guard import guarded, permit

if TYPE_CHECKING:  # httpx (with its CLI's rich and pygments) loads only when events go out
    import httpx

log = logging.getLogger(__name__)
TARGET_TYPE = "cloudevents"
CDEVENTS = "0.4.1"
TYPES = {"opened": "dev.cdevents.incident.detected.0.2.0",
         "resolved": "dev.cdevents.incident.resolved.0.2.0"}
REPORTED = "dev.cdevents.incident.reported.0.2.0"  # declared by a human
CHANGED = "dev.triage.incident.changed.0.1.0"  # no CDEvents type for other changes


def event_type(entry: TimelineEntry, origin: str) -> str:
    """The CloudEvents `type` of a timeline entry."""
    if entry.event == "opened" and origin == "human":
        return REPORTED
    return TYPES.get(entry.event, CHANGED)


def cloud_event(key: str, source: str, entry: TimelineEntry, incident: dict[str, Any],
                origin: str) -> dict[str, Any]:
    """A structured-mode CloudEvent whose data is the CDEvent for the entry."""
    kind = event_type(entry, origin)
    at = entry.at.isoformat().replace("+00:00", "Z")
    subject = {"id": incident["id"], "source": source, "type": "incident", "content": {
        "description": incident["title"], "environment": {"id": "production"},
        "service": {"id": incident["service"] or "unknown"}}}
    return {"specversion": "1.0", "id": key, "source": source, "type": kind,
            "subject": incident["id"], "time": at, "datacontenttype": "application/json",
            "data": {"context": {"specversion": CDEVENTS, "id": key, "source": source,
                                 "type": kind, "timestamp": at},
                     "subject": subject,
                     "customData": {"change": {"event": entry.event, "detail": entry.detail,
                                               "actor": entry.actor, "reason": entry.reason},
                                    "incident": incident}}}


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature header value for one delivery."""
    key = secret.removeprefix("whsec_").encode()
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class EventExporter:
    """Turns new timeline entries into outbox rows (`cloudevents:<url>` targets)."""

    def __init__(self, store: IncidentStore, outbox: Outbox, section: EventsOut) -> None:
        self.store, self.outbox, self.section = store, outbox, section
        with store.tx() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS incident_export_cursor "
                         "(name TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
            # a new exporter starts at the end of the log: history is not replayed at it
            conn.execute("INSERT OR IGNORE INTO incident_export_cursor SELECT ?, "
                         "COALESCE(MAX(seq), 0) FROM incident_timeline", (self._name,))

    @property
    def _name(self) -> str:
        return f"cloudevents:{self.section.url}"

    def pump(self, now: datetime) -> int:
        """Enqueue events for entries past the cursor (one transaction); return how many."""
        made = 0
        with self.store.tx() as conn:
            cursor = conn.execute("SELECT seq FROM incident_export_cursor WHERE name = ?",
                                  (self._name,)).fetchone()[0]
            rows = conn.execute("SELECT seq, incident_id FROM incident_timeline WHERE seq > ? "
                                "ORDER BY seq LIMIT 500", (cursor,)).fetchall()
            for row in rows:
                entry = next(e for e in self.store.timeline(row["incident_id"])
                             if e.seq == row["seq"])
                if self.section.events and entry.event not in self.section.events:
                    continue
                incident = self.store.get(row["incident_id"], full=False)
                key = f"ce:{row['incident_id']}:{row['seq']}"
                body = cloud_event(key, self.section.source, entry,
                                   incident_dict(incident, full=False), incident.origin)
                made += self.outbox.add(OutboxItem(key, incident.id, "event",
                                                   f"{TARGET_TYPE}:{self.section.url}", body,
                                                   entry.at), now)
            if rows:
                conn.execute("UPDATE incident_export_cursor SET seq = ? WHERE name = ?",
                             (rows[-1]["seq"], self._name))
        return made


class CloudEventsNotifier:
    """POSTs queued CloudEvents (structured JSON, signed) through the egress policy."""

    def __init__(self, section: EventsOut, policy: EgressPolicy,
                 env: Mapping[str, str], client: httpx.Client | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        self.section, self.policy, self.env, self.wall = section, policy, env, wall
        if client is None:
            import httpx

            client = httpx.Client(timeout=section.timeout_s, follow_redirects=False)
        self.client = client

    def handles(self, target_type: str) -> bool:
        """CloudEvents targets only."""
        return target_type == TARGET_TYPE

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addrs = self.policy.resolve(parts.hostname or "", port)
        except EgressDenied as exc:  # never retried: the policy will not change by itself
            raise Undeliverable(f"egress policy: {exc}") from None
        # Only the vetted addresses may be connected to: a name that resolves elsewhere by
        # the time the client connects (DNS rebinding) is refused at the socket by the guard.
        permit(endpoints={(str(addr), port) for addr in addrs})

    def send(self, item: OutboxItem) -> None:
        """POST once; raise on a non-2xx answer (Undeliverable when egress forbids it)."""
        with guarded(TARGET_TYPE):
            self._post(item)

    def _post(self, item: OutboxItem) -> None:
        self._check(item.address)
        body = json.dumps(item.payload, sort_keys=True, separators=(",", ":")).encode()
        stamp = int(self.wall())  # transport metadata (receivers' replay window), not a decision
        headers = {"Content-Type": "application/cloudevents+json; charset=utf-8",
                   "webhook-id": item.key, "webhook-timestamp": str(stamp)}
        secret = self.env.get(self.section.secret_env) if self.section.secret_env else None
        if secret:
            headers["webhook-signature"] = sign(secret, item.key, stamp, body)
        response = self.client.post(item.address, content=body, headers=headers)
        response.raise_for_status()

    def delivered(self, item: OutboxItem) -> bool:
        """Unknowable for a plain endpoint: resend under the same event id."""
        return False
