"""Zendesk ticket webhook body → one Signal.

Two shapes are accepted. Event-subscribed webhooks (Zendesk "ticket events", version
2022-11-06): `{"type": "zen:event-type:ticket.created" | "...priority_changed" | ...,
"account_id", "id", "time", "subject": "zen:ticket:<id>", "detail": {ticket}, "event": {...}}`,
where `detail` holds `id, subject, description, status, priority, type, requester_id,
submitter_id, assignee_id, group_id, organization_id, tags, created_at, updated_at, via`.
Trigger/target webhooks and the Tickets API: `{"ticket": {...}}` with the same fields, where a
trigger body may carry placeholders' text (`"requester": {"email", "name"}`, `"group": "Ops"`,
`"tags": "a b c"`). Mapping: id → ticket_id; subject → title; description → body; requester
→ requester; submitter → reporter; priority (low/normal/high/urgent), type
(problem/incident/question/task) → issue_type, status (solved/closed resolve), group →
assignment_group, tags, created_at, updated_at; `ticket.comment_added` → comment;
`*_changed` events → a TicketChange (the override detector reads it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.formats.common import fail, parse_time, require_object
from agent.signals.formats.ticketing import (
    TicketChange,
    TicketRecord,
    build_signal,
    clean,
    named,
    person,
)

EVENT_PREFIX = "zen:event-type:ticket."
_CHANGE_EVENTS = {"priority_changed": "priority", "type_changed": "issue_type",
                  "group_assignment_changed": "assignment_group", "status_changed": "status",
                  "tags_changed": "tags"}


def is_zendesk(obj: dict[str, Any]) -> bool:
    """A Zendesk ticket event (`type` zen:event-type:ticket.*) or a `{"ticket": {...}}` body."""
    kind = obj.get("type")
    if isinstance(kind, str) and kind.startswith(EVENT_PREFIX):
        return True
    ticket = obj.get("ticket")
    return isinstance(ticket, dict) and any(k in ticket for k in ("subject", "description",
                                                                   "requester_id", "requester"))


def _low(value: Any) -> str | None:
    text = clean(value)
    return text.lower() if text else None  # ticket events send OPEN / HIGH, the API open / high


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t for t in value.replace(",", " ").split() if t]
    if isinstance(value, list):
        return [str(t) for t in value if isinstance(t, str | int)]
    return []


def _who(ticket: dict[str, Any], key: str) -> str | None:
    return person(ticket.get(key)) or clean(ticket.get(f"{key}_id"))


def _group(ticket: dict[str, Any]) -> str | None:
    return named(ticket.get("group")) or clean(ticket.get("group_name")) or \
        clean(ticket.get("group_id"))


def _event_change(kind: str, event: Any, actor: str | None) -> list[TicketChange]:
    name = _CHANGE_EVENTS.get(kind)
    if not name or not isinstance(event, dict):
        return []
    before, after = named(event.get("previous")), named(event.get("current"))
    if name != "assignment_group":
        before, after = _low(before), _low(after)
    return [TicketChange(name, before, after, actor)]


def zendesk_record(body: dict[str, Any]) -> TicketRecord:
    """Map a Zendesk webhook body field for field onto a TicketRecord."""
    kind = clean(body.get("type")) or ""
    event_body = body.get("event")
    if kind.startswith(EVENT_PREFIX):
        ticket = require_object(body.get("detail"), "detail")
        where = "detail"
        event = kind.removeprefix("zen:event-type:")
    else:
        ticket = require_object(body.get("ticket"), "ticket")
        where = "ticket"
        event = clean(body.get("event")) if isinstance(body.get("event"), str) else "ticket"
    ticket_id = clean(ticket.get("id"))
    if not ticket_id:
        fail(f"{where}.id", "required: the ticket has no id")
    actor = clean(ticket.get("actor_id")) or clean(body.get("actor_id"))
    rec = TicketRecord(
        system="zendesk", event=event or "ticket", ticket_id=ticket_id, ref=ticket_id,
        title=clean(ticket.get("subject")), body=clean(ticket.get("description")),
        requester=_who(ticket, "requester"), reporter=_who(ticket, "submitter"),
        priority=_low(ticket.get("priority")), issue_type=_low(ticket.get("type")),
        status=_low(named(ticket.get("status"))), group=_group(ticket),
        assignee=_who(ticket, "assignee"), tags=_tags(ticket.get("tags")),
        created=parse_time(ticket.get("created_at"), f"{where}.created_at"),
        updated=parse_time(ticket.get("updated_at"), f"{where}.updated_at"),
        extra={"organization": clean(ticket.get("organization_id")) or "",
               "via": named((ticket.get("via") or {}).get("channel"))
               if isinstance(ticket.get("via"), dict) else ""},
        changes=_event_change(event.removeprefix("ticket."), event_body, actor),
    )
    if isinstance(event_body, dict) and isinstance(event_body.get("comment"), dict):
        comment = event_body["comment"]
        rec.comment, rec.comment_id = clean(comment.get("body")), clean(comment.get("id"))
        rec.comment_author = person(comment.get("author"))
    elif isinstance(ticket.get("latest_comment"), dict | str):
        latest = ticket["latest_comment"]
        rec.comment = clean(latest.get("body")) if isinstance(latest, dict) else clean(latest)
        rec.comment_id = clean(latest.get("id")) if isinstance(latest, dict) else None
    if rec.updated is None:
        rec.updated = parse_time(body.get("time"), "time")
    return rec


def parse_zendesk(payload: Any, *, received_at: datetime,
                  new_id: Callable[[], str]) -> list[Signal]:
    """Parse a Zendesk webhook body into one Signal."""
    body = require_object(payload, "payload")
    if not is_zendesk(body) and "ticket" not in body and "detail" not in body:
        fail("ticket", "required: a Zendesk body needs a ticket (or an event with detail)")
    return [build_signal(zendesk_record(body), body, received_at=received_at, new_id=new_id)]
