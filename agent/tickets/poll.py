"""Poll mode: tickets from systems that cannot send webhooks, with a persisted cursor.

Per instance and scope (Jira: the JQL; ServiceNow: each table; Zendesk: the incremental
export) the cursor holds `since` (the update time of the last ticket delivered) and `seen`
(the tickets delivered at exactly that time). The query asks for everything updated at or
after `since` (JQL has minute precision, so the window starts at the minute) and the poller
skips what is older or already seen; the cursor is saved after every delivered ticket, so a
restart neither skips nor repeats one. Each ticket goes through `deliver` (the ingest path)
under the delivery key `poll:<instance>:<ticket>:<updated>`, which makes even a replayed
page harmless; overrides are recorded first (the inbound hook).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.config.tickets import TicketInstance
from agent.kernel.errors import SignalParseError
from agent.signals.formats.common import parse_time
from agent.signals.formats.servicenow import code
from agent.tickets.outbox import TicketStore
from agent.tickets.overrides import TicketInbound
from agent.tickets.types import TicketClient

log = logging.getLogger(__name__)
Deliver = Callable[[str, str, dict[str, Any], str], list[str]]
MAX_PAGES = 100  # per scope and run; the next run continues from the cursor


@dataclass
class PollReport:
    """What one poll run did."""

    delivered: int = 0
    skipped: int = 0
    echoes: int = 0
    errors: list[str] = field(default_factory=list)


def scopes(inst: TicketInstance) -> list[str]:
    """The cursor scopes of an instance."""
    if inst.system == "servicenow":
        return list(inst.poll.tables)
    return ["jql" if inst.system == "jira" else "tickets"]


def wrap(system: str, scope: str, record: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The parser payload of a polled record, its ticket key and its update time (ISO)."""
    if system == "jira":
        key, stamp = record.get("key"), (record.get("fields") or {}).get("updated")
        payload = record
    elif system == "servicenow":
        key, stamp = code(record.get("number")) or code(record.get("sys_id")), \
            code(record.get("sys_updated_on"))
        payload = {"table": scope, "record": record}
    else:
        key, stamp = record.get("id"), record.get("updated_at")
        payload = {"ticket": record}
    moment = parse_time(stamp, "updated")
    if not key or moment is None:
        raise SignalParseError("updated", f"polled {system} record without a key or update time")
    return payload, str(key), moment.isoformat()


def _start(inst: TicketInstance, now: datetime) -> str:
    if inst.poll.start:
        moment = parse_time(inst.poll.start, "tickets.poll.start")
        if moment is not None:
            return moment.isoformat()
    return (now - timedelta(hours=1)).isoformat()


def poll_instance(name: str, inst: TicketInstance, client: TicketClient, store: TicketStore,
                  deliver: Deliver, inbound: TicketInbound | None = None, *,
                  now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> PollReport:
    """Poll every scope of one instance once, oldest first; return what happened."""
    report = PollReport()
    for scope in scopes(inst):
        cursor = store.cursor(name, scope) or {"since": _start(inst, now()), "seen": []}
        token: str | None = None
        window = cursor["since"]  # the query stays the same while its pages are read
        for _ in range(MAX_PAGES):
            page = client.poll({**cursor, "since": window, "table": scope, "token": token},
                               inst.poll)
            for record in page.records:
                try:
                    payload, key, stamp = wrap(inst.system, scope, record)
                except SignalParseError as exc:
                    report.errors.append(str(exc))
                    continue
                since = datetime.fromisoformat(cursor["since"])
                moment = datetime.fromisoformat(stamp)
                if moment < since or (moment == since and key in cursor.get("seen", [])):
                    report.skipped += 1
                    continue
                if inbound is not None and inbound.before_ingest(inst.system, name, payload):
                    report.echoes += 1
                else:
                    deliver(inst.system, name, payload, f"poll:{name}:{key}:{stamp}")
                    report.delivered += 1
                seen = cursor.get("seen", []) if moment == since else []
                cursor = {**cursor, "since": stamp, "seen": [*seen, key]}
                store.save_cursor(name, scope, cursor, time.time())
            if inst.system == "zendesk" and page.cursor.get("resume"):
                cursor = {**cursor, "resume": page.cursor["resume"]}
                store.save_cursor(name, scope, cursor, time.time())
            token = page.cursor.get("token")
            if page.done or not token:
                break
    log.info("polled tickets", extra={"instance": name, "delivered": report.delivered,
                                      "skipped": report.skipped})
    return report
