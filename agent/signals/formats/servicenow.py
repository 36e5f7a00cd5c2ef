"""ServiceNow `incident` / `sc_request` record (outbound REST, business rule, Table API) → Signal.

Accepted bodies: a Table API record (`{"sys_id", "number", "short_description", ...}`), the
Table API envelope (`{"result": {...}}`, or `{"result": [...]}` from a query: one signal per
record), or a business-rule envelope (`{"table": "incident", "record": {...}}`). A field may be
a plain value, a reference (`{"link", "value"}`) or a display pair (`sysparm_display_value=all`:
`{"value", "display_value"}`): codes (impact, urgency, priority, state) keep their value,
references (caller, group, CI, service) their display value when sent, else the sys_id.
Mapping: number → ticket_id; sys_id → ticket_ref; sys_class_name / `table` / the number prefix
→ ticket_table; short_description → title; description → body; caller_id (incident) or
requested_for (sc_request) → requester; opened_by → reporter; category, subcategory; cmdb_ci
→ ci; business_service → service; impact, urgency, priority as sent; assignment_group;
assigned_to; state / request_state (6 resolved, 7 closed, 8 canceled); opened_at (else
sys_created_on) → created; sys_updated_on → updated; the latest `comments` / `work_notes`
text → comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.formats.common import fail, first_str, join_field, parse_time, require_object
from agent.signals.formats.ticketing import TicketRecord, build_signal, clean

_NUMBER = re.compile(r"^(INC|REQ|RITM|SCTASK|CHG|PRB|TASK)\d+$", re.I)
_PREFIX_TABLE = {"INC": "incident", "REQ": "sc_request", "RITM": "sc_req_item",
                 "SCTASK": "sc_task", "CHG": "change_request", "PRB": "problem", "TASK": "task"}
INCIDENT_STATES = {"1": "new", "2": "in_progress", "3": "on_hold", "6": "resolved",
                   "7": "closed", "8": "canceled"}
REQUEST_STATES = {"closed_complete": "closed", "closed_incomplete": "closed",
                  "closed_cancelled": "canceled", "closed_rejected": "canceled"}


def _is_record(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    number = code(obj.get("number"))
    return ("sys_id" in obj and any(k in obj for k in ("number", "short_description",
                                                        "sys_class_name"))) or \
        bool(number and _NUMBER.match(number))


def is_servicenow(obj: dict[str, Any]) -> bool:
    """A ServiceNow record, a Table API `result` envelope or a `{"table","record"}` body."""
    result = obj.get("result")
    if isinstance(result, list) and result and all(_is_record(r) for r in result):
        return True
    if _is_record(result) or (isinstance(obj.get("table"), str) and _is_record(obj.get("record"))):
        return True
    return _is_record(obj)


def code(value: Any) -> str | None:
    """A coded field's value (`{"value": "1", "display_value": "1 - High"}` gives "1")."""
    if isinstance(value, dict):
        return first_str(value, ("value", "display_value"))
    return clean(value)


def display(value: Any) -> str | None:
    """A reference field's display value when sent, else its value (a sys_id)."""
    if isinstance(value, dict):
        return first_str(value, ("display_value", "name", "value"))
    return clean(value)


def shown(value: Any) -> str | None:
    """A reference's display value only (a bare sys_id names no service or CI)."""
    if isinstance(value, dict):
        return first_str(value, ("display_value", "name"))
    return clean(value)


def _table(record: dict[str, Any], hint: str | None) -> str:
    table = hint or code(record.get("sys_class_name"))
    if not table and (number := code(record.get("number"))):
        match = re.match(r"^[A-Za-z]+", number)
        table = _PREFIX_TABLE.get(match.group(0).upper()) if match else None
    return table or "incident"


def _state(record: dict[str, Any], table: str) -> str | None:
    if table == "sc_request":
        raw = code(record.get("request_state")) or code(record.get("state"))
        return REQUEST_STATES.get(raw or "", raw)
    raw = code(record.get("state")) or code(record.get("incident_state"))
    return INCIDENT_STATES.get(raw or "", raw.lower() if raw else None)


def servicenow_record(record: dict[str, Any], table: str | None = None,
                      field: str = "") -> TicketRecord:
    """Map one ServiceNow record field for field onto a TicketRecord."""
    number = code(record.get("number"))
    sys_id = code(record.get("sys_id"))
    if not number and not sys_id:
        fail(join_field(field, "number"), "required: the record has no number or sys_id")
    tab = _table(record, table)
    requester = display(record.get("requested_for" if tab == "sc_request" else "caller_id"))
    created = (parse_time(code(record.get("opened_at")), join_field(field, "opened_at"))
               or parse_time(code(record.get("sys_created_on")),
                             join_field(field, "sys_created_on")))
    comment = clean(code(record.get("comments"))) or clean(code(record.get("work_notes")))
    updated = parse_time(code(record.get("sys_updated_on")), join_field(field, "sys_updated_on"))
    event = f"{tab}.updated" if updated and created and updated > created else f"{tab}.created"
    return TicketRecord(
        system="servicenow", event=event,
        ticket_id=number or sys_id or "", ref=sys_id, table=tab,
        title=clean(code(record.get("short_description"))),
        body=clean(code(record.get("description"))),
        comment=comment,
        comment_id=(code(record.get("sys_mod_count")) or str(updated)) if comment else None,
        reporter=display(record.get("opened_by")),
        requester=requester or display(record.get("caller_id")),
        category=display(record.get("category")), subcategory=display(record.get("subcategory")),
        ci=shown(record.get("cmdb_ci")), service=shown(record.get("business_service")),
        priority=code(record.get("priority")), impact=code(record.get("impact")),
        urgency=code(record.get("urgency")), status=_state(record, tab),
        group=display(record.get("assignment_group")), assignee=display(record.get("assigned_to")),
        created=created, updated=updated,
        extra={"contact_type": display(record.get("contact_type")) or "",
               "updated_by": display(record.get("sys_updated_by")) or ""},
    )


def record_bodies(body: dict[str, Any]) -> list[tuple[dict[str, Any], str | None, str]]:
    """Each record of a body with its table hint and its field path (`result[1]`)."""
    result = body.get("result")
    if isinstance(result, list):
        return [(require_object(r, f"result[{i}]"), None, f"result[{i}]")
                for i, r in enumerate(result)]
    if isinstance(result, dict):
        return [(result, None, "result")]
    if isinstance(body.get("record"), dict):
        return [(body["record"], clean(body.get("table")), "record")]
    return [(body, None, "")]


def parse_servicenow(payload: Any, *, received_at: datetime,
                     new_id: Callable[[], str]) -> list[Signal]:
    """Parse a ServiceNow record body into one Signal per record."""
    body = require_object(payload, "payload")
    records = record_bodies(body)
    if not records:
        fail("result", "empty: no records")
    return [build_signal(servicenow_record(rec, table, where), rec, received_at=received_at,
                         new_id=new_id) for rec, table, where in records]
