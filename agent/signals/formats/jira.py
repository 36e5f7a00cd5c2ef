"""Jira Cloud / Jira Service Management webhook body → one Signal.

Shape (Jira Cloud REST/webhook docs): `{"timestamp", "webhookEvent": "jira:issue_created" |
"jira:issue_updated" | "comment_created" | "comment_updated", "issue_event_type_name", "user",
"issue": {"id", "key", "self", "fields": {...}}, "changelog": {"items": [...]}, "comment": {...}}`.
A bare issue (`{"id", "key", "fields"}`, as the REST API and JQL search return it) is accepted
too, as event `jira:issue`. Field mapping: summary → title; description (text or Atlassian
Document Format) → body; reporter / creator → reporter; the reporter is also the requester
(in JSM the customer who raised the request); issuetype → issue_type; priority, status
(statusCategory `done` means resolved), labels → tags, components (first → component),
project key, created, updated;
a JSM request type (`customfield_*` holding `requestType`) → label `request_type`. Changelog
items become `TicketChange`s (the override detector reads them).
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
    text_of,
)

JIRA_EVENTS = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
               "comment_created", "comment_updated", "comment_deleted")
# Jira changelog field names → the ticket field they change
CHANGE_FIELDS = {"priority": "priority", "issuetype": "issue_type", "status": "status",
                 "labels": "tags", "assignee": "assignee", "components": "component",
                 "Team": "assignment_group", "team": "assignment_group"}


def is_jira(obj: dict[str, Any]) -> bool:
    """A Jira webhook (`webhookEvent` jira:/comment_ with an issue) or a bare issue object."""
    event = obj.get("webhookEvent")
    issue = obj.get("issue")
    if isinstance(event, str) and isinstance(issue, dict):
        return event.startswith(("jira:", "comment_")) or "fields" in issue
    return (isinstance(obj.get("fields"), dict) and isinstance(obj.get("key"), str)
            and ("self" in obj or "id" in obj))


def _status(value: Any) -> str | None:
    if isinstance(value, dict):
        category = value.get("statusCategory")
        if isinstance(category, dict) and category.get("key") == "done":
            return "done"
    return named(value)


def _request_type(fields: dict[str, Any]) -> str | None:
    for key, value in fields.items():
        if key.startswith("customfield_") and isinstance(value, dict):
            kind = value.get("requestType")
            if isinstance(kind, dict):
                return named(kind)
    return None


def _changes(body: dict[str, Any]) -> list[TicketChange]:
    log = body.get("changelog")
    items = log.get("items") if isinstance(log, dict) else None
    author = person(body.get("user"))
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name = CHANGE_FIELDS.get(str(item.get("field") or item.get("fieldId") or ""))
        if name:
            out.append(TicketChange(name, clean(item.get("fromString")),
                                    clean(item.get("toString")), author))
    return out


def jira_record(body: dict[str, Any]) -> TicketRecord:
    """Map a Jira webhook body (or a bare issue) field for field onto a TicketRecord."""
    issue = body.get("issue") if "webhookEvent" in body else body
    issue = require_object(issue, "issue")
    fields = require_object(issue.get("fields"), "issue.fields")
    key = clean(issue.get("key")) or clean(issue.get("id"))
    if not key:
        fail("issue.key", "required: the issue has no key or id")
    event = clean(body.get("webhookEvent")) or "jira:issue"
    comment = body.get("comment") if isinstance(body.get("comment"), dict) else None
    components = [n for c in fields.get("components") or [] if (n := named(c))]
    labels = [str(x) for x in fields.get("labels") or [] if isinstance(x, str | int)]
    project = fields.get("project")
    rec = TicketRecord(
        system="jira", event=event, ticket_id=key, ref=clean(issue.get("id")),
        title=clean(fields.get("summary")), body=text_of(fields.get("description")),
        reporter=person(fields.get("reporter")) or person(fields.get("creator")),
        requester=person(fields.get("reporter")),
        issue_type=named(fields.get("issuetype")), priority=named(fields.get("priority")),
        status=_status(fields.get("status")), assignee=person(fields.get("assignee")),
        component=components[0] if components else None,
        project=clean(project.get("key")) if isinstance(project, dict) else clean(project),
        tags=labels,
        created=parse_time(fields.get("created"), "issue.fields.created"),
        updated=parse_time(fields.get("updated"), "issue.fields.updated"),
        extra={"request_type": _request_type(fields) or ""},
        changes=_changes(body),
    )
    if comment is not None:
        rec.comment = text_of(comment.get("body"))
        rec.comment_id = clean(comment.get("id"))
        rec.comment_author = person(comment.get("author"))
        rec.updated = (parse_time(comment.get("created"), "comment.created") or rec.updated)
    if rec.updated is None and isinstance(body.get("timestamp"), int | float):
        rec.updated = parse_time(body["timestamp"], "timestamp")
    return rec


def parse_jira(payload: Any, *, received_at: datetime,
               new_id: Callable[[], str]) -> list[Signal]:
    """Parse a Jira webhook body (or a bare issue) into one Signal."""
    body = require_object(payload, "payload")
    if "webhookEvent" in body and not isinstance(body.get("issue"), dict):
        fail("issue", "required: a Jira webhook body needs an issue object")
    return [build_signal(jira_record(body), body, received_at=received_at, new_id=new_id)]
