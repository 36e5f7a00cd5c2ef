"""Ticket → one Signal: `{"title","body","reporter",...}` or plain text (first line = title).

Accepted aliases: title/subject/summary/short_description; body/description/text/message/details;
reporter/requester/author/created_by/user (an object gives its email, else name, else id);
timestamp from created_at/created/timestamp/time. priority, id, category, type, status and other
top-level scalars land in labels (the id as `ticket_id`). A Jira webhook body
(`{"issue": {"key", "fields": {...}}}`) is read through its issue fields.
fingerprint = hash of the ticket id when given, else of the normalized title and body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.fingerprint import canonical_hash, text_fingerprint
from agent.signals.formats.common import (
    fail,
    field_labels,
    first_line,
    first_str,
    join_text,
    normalize_level,
    opt_str,
    parse_time,
    str_map,
)

TITLE_KEYS = ("title", "subject", "summary", "short_description")
BODY_KEYS = ("body", "description", "text", "message", "details", "content")
REPORTER_KEYS = ("reporter", "requester", "author", "created_by", "user", "submitter")
TIME_KEYS = ("created_at", "created", "timestamp", "time", "opened_at")
_NOT_LABELS = {*TITLE_KEYS, *BODY_KEYS, *REPORTER_KEYS, *TIME_KEYS, "labels", "tags", "id"}


def _person(value: Any, field: str) -> str | None:
    if isinstance(value, dict):
        return first_str(value, ("email", "emailAddress", "name", "display_name",
                                 "displayName", "login", "id"))
    return opt_str(value, field)


def _from_text(text: str, received_at: datetime, new_id: Callable[[], str]) -> list[Signal]:
    text = text.strip().lstrip("\ufeff")
    if not text:
        fail("body", "empty ticket text")
    title = first_line(text)
    return [Signal(
        signal_id=new_id(), source="ticket", fingerprint=text_fingerprint("ticket", text),
        title=title, text=text, timestamp=received_at, received_at=received_at, raw=text,
    )]


def _jira_fields(body: dict[str, Any]) -> dict[str, Any]:
    """A Jira webhook (`{"issue": {"key", "fields": {...}}}`) read as a flat ticket object."""
    issue = body["issue"]
    fields = dict(issue["fields"])
    fields.setdefault("id", issue.get("key") or issue.get("id"))
    for key in ("priority", "status", "issuetype", "project"):
        if isinstance(fields.get(key), dict):
            fields[key] = first_str(fields[key], ("name", "key", "id"))
    fields.setdefault("created_at", fields.pop("created", None))
    return {k: v for k, v in fields.items() if v is not None and not k.startswith("customfield_")}


def _from_object(body: dict[str, Any], received_at: datetime,
                 new_id: Callable[[], str]) -> list[Signal]:
    raw = body
    if isinstance(body.get("issue"), dict) and isinstance(body["issue"].get("fields"), dict):
        body = _jira_fields(body)
    title = next((t for k in TITLE_KEYS if (t := opt_str(body.get(k), k))), None)
    text_parts = [opt_str(body.get(k), k) for k in BODY_KEYS]
    if not title and not any(text_parts):
        fail("title", "required: a ticket needs a title or a body")
    main = join_text(text_parts)
    reporter = next((p for k in REPORTER_KEYS if (p := _person(body.get(k), k))), None)
    labels = field_labels(body, _NOT_LABELS)
    for key in ("labels", "tags"):
        if isinstance(body.get(key), dict):
            labels.update(str_map(body[key], key))
    ticket_id = opt_str(body.get("id"), "id")
    if ticket_id:
        labels["ticket_id"] = ticket_id
    timestamp = next((parse_time(body[k], k) for k in TIME_KEYS
                      if body.get(k) not in (None, "")), None)
    fingerprint = (canonical_hash("ticket", ticket_id) if ticket_id
                   else text_fingerprint("ticket", f"{title or ''}\n{main}"))
    status = "resolved" if labels.get("status", "").lower() == "resolved" else "firing"
    return [Signal(
        signal_id=new_id(),
        source="ticket",
        fingerprint=fingerprint,
        status=status,
        title=title or first_line(main),
        text=join_text([title, main]),
        labels=labels,
        severity=normalize_level(labels.get("severity")),
        service=first_str(labels, ("service", "application", "app")),
        host=first_str(labels, ("host", "hostname", "device")),
        reporter=reporter,
        starts_at=timestamp,
        timestamp=timestamp or received_at,
        received_at=received_at,
        raw=raw,
    )]


def parse_ticket(payload: Any, *, received_at: datetime,
                 new_id: Callable[[], str]) -> list[Signal]:
    """Parse a ticket (object or plain text) into one Signal."""
    if isinstance(payload, str):
        return _from_text(payload, received_at, new_id)
    if isinstance(payload, dict):
        return _from_object(payload, received_at, new_id)
    fail("payload", "a ticket must be an object or plain text")
