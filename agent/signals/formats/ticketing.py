"""What the Jira, ServiceNow and Zendesk parsers share: one ticket record → one Signal.

Every vendor field is mapped into `TicketRecord`, then into the signal model the same way:
source `ticket`; labels `ticket_system`, `ticket_id` (the key users see: PROJ-12, INC0010001,
Zendesk id), `ticket_ref` (the API id: Jira id, ServiceNow sys_id), `ticket_event`, and the
fields as sent: `priority`, `impact`, `urgency`, `category`, `subcategory`, `issue_type`,
`status`, `assignment_group`, `ci`, `service`, `component`, `requester`, `reporter`, `project`,
`tags`. A priority, impact or urgency written by the sender is evidence, never the verdict.
`reporter` on the Signal is the affected person (requester/caller), else the reporter.
The fingerprint is the ticket identity (plus the comment id for a comment event), so a
re-sent update of the same ticket is a duplicate, and a new comment is a new signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.fingerprint import canonical_hash
from agent.signals.formats.common import fail, first_line, first_str, join_text, scalar_text

RESOLVED_STATES = {"resolved", "closed", "done", "solved", "cancelled", "canceled"}
OWN_MARKER = "[triage:"  # every comment we write carries it; its echo is never re-triaged


@dataclass
class TicketChange:
    """One field changed on the ticket (Jira changelog item, Zendesk event, poll diff)."""

    field: str  # priority | issue_type | assignment_group | impact | urgency | status | ...
    before: str | None
    after: str | None
    author: str | None = None


@dataclass
class TicketRecord:
    """A ticket as the ticket system sent it, field for field (None: not sent)."""

    system: str
    event: str
    ticket_id: str
    ref: str | None = None
    title: str | None = None
    body: str | None = None
    comment: str | None = None
    comment_id: str | None = None
    comment_author: str | None = None
    reporter: str | None = None
    requester: str | None = None
    category: str | None = None
    subcategory: str | None = None
    service: str | None = None
    ci: str | None = None
    component: str | None = None
    priority: str | None = None
    impact: str | None = None
    urgency: str | None = None
    issue_type: str | None = None
    status: str | None = None
    group: str | None = None
    assignee: str | None = None
    project: str | None = None
    table: str | None = None
    tags: list[str] = field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    changes: list[TicketChange] = field(default_factory=list)


def text_of(value: Any) -> str | None:
    """Plain text from a string or an Atlassian Document Format node tree."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        parts: list[str] = []
        _adf_text(value, parts)
        text = "".join(parts).strip()
        return text or None
    return scalar_text(value)


_BLOCKS = {"paragraph", "heading", "listItem", "codeBlock", "blockquote", "tableRow", "rule"}


def _adf_text(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _adf_text(child, out)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "text" and isinstance(node.get("text"), str):
        out.append(node["text"])
    elif node.get("type") == "hardBreak":
        out.append("\n")
    _adf_text(node.get("content"), out)
    if node.get("type") in _BLOCKS:
        out.append("\n")


def clean(value: Any) -> str | None:
    """A scalar as stripped text; None for null, empty text, objects and arrays."""
    text = scalar_text(value)
    return (text.strip() or None) if text is not None else None


def person(value: Any) -> str | None:
    """A person from a user object (email, else name, else id) or a plain value."""
    if isinstance(value, dict):
        return first_str(value, ("emailAddress", "email", "display_value", "displayName",
                                 "name", "accountId", "value", "id"))
    return clean(value)


def named(value: Any) -> str | None:
    """The display name of a named object (`{"name": ...}`, ServiceNow display value) or text."""
    if isinstance(value, dict):
        return first_str(value, ("name", "display_value", "value", "key", "id"))
    return clean(value)


def _labels(rec: TicketRecord) -> dict[str, str]:
    pairs = {
        "ticket_system": rec.system, "ticket_id": rec.ticket_id, "ticket_ref": rec.ref,
        "ticket_event": rec.event, "ticket_table": rec.table, "priority": rec.priority,
        "impact": rec.impact, "urgency": rec.urgency, "category": rec.category,
        "subcategory": rec.subcategory, "issue_type": rec.issue_type, "status": rec.status,
        "assignment_group": rec.group, "assignee": rec.assignee, "ci": rec.ci,
        "service": rec.service, "component": rec.component, "requester": rec.requester,
        "reporter": rec.reporter, "project": rec.project,
        "tags": ",".join(rec.tags) if rec.tags else None,
        "comment_id": rec.comment_id,
    }
    labels = {k: v for k, v in rec.extra.items() if v}
    labels.update({k: v for k, v in pairs.items() if v})
    return labels


def is_own_comment(rec: TicketRecord) -> bool:
    """True for a comment event that echoes a comment Triage itself wrote."""
    return bool(rec.comment and OWN_MARKER in rec.comment)


def build_signal(rec: TicketRecord, raw: Any, *, received_at: datetime,
                 new_id: Callable[[], str]) -> Signal:
    """The Signal for one ticket record (fails naming the field when no text is present)."""
    if not rec.ticket_id:
        fail("id", "required: the ticket has no id or key")
    if not rec.title and not rec.body and not rec.comment:
        fail("summary", "required: a ticket needs a summary, a description or a comment")
    comment = None if is_own_comment(rec) else rec.comment
    text = join_text([rec.title, rec.body, f"Comment: {comment}" if comment else None])
    identity = canonical_hash("ticket", rec.system, rec.ticket_id)
    fingerprint = (canonical_hash("ticket-comment", rec.system, rec.ticket_id, rec.comment_id)
                   if comment and rec.comment_id else identity)
    resolved = ((rec.status or "").strip().lower() in RESOLVED_STATES
                or rec.event.endswith("_deleted"))  # a deleted issue or comment is over
    moment = rec.created if not comment else (rec.updated or rec.created)
    return Signal(
        signal_id=new_id(),
        source="ticket",
        fingerprint=fingerprint,
        status="resolved" if resolved else "firing",
        title=rec.title or first_line(text),
        text=text,
        labels=_labels(rec),
        service=rec.service or rec.component or rec.ci,
        reporter=rec.requester or rec.reporter,
        starts_at=rec.created,
        timestamp=moment or received_at,
        received_at=received_at,
        raw=raw,
    )
