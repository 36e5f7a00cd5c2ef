"""ServiceNow Table API client: field updates, work notes, parent incident, encoded-query poll.

Calls (docs.servicenow.com, Table API): `PATCH /api/now/table/{table}/{sys_id}` with
`impact`, `urgency`, `assignment_group` (sys_id or name) → 200 `{"result": {...}}`; a work note
is a PATCH of `work_notes` (a journal entry); `GET /api/now/table/sys_journal_field` with
`sysparm_query=element_id=<sys_id>^element=work_notes^valueLIKE<marker>` finds an earlier
note; the link of a user report to its incident is `parent_incident`; polling is
`GET /api/now/table/{table}?sysparm_query=sys_updated_on>=<t>^ORDERBYsys_updated_on` with
`sysparm_limit` / `sysparm_offset`. Errors come back as `{"error": {"message", "detail"},
"status": "failure"}`. ServiceNow computes priority from impact × urgency, and a record's
table is its type, so neither is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.config.tickets import PollOptions, TicketInstance
from agent.tickets.http import RetryingClient
from agent.tickets.types import PollPage, TicketFields, TicketTarget


def sn_time(moment: datetime) -> str:
    """A ServiceNow date-time literal (UTC, seconds)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class ServiceNowClient:
    """Write-back and polling against one ServiceNow instance."""

    system = "servicenow"

    def __init__(self, http: RetryingClient, inst: TicketInstance) -> None:
        self.http, self.inst = http, inst

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    def _patch(self, target: TicketTarget, body: dict[str, Any], idempotent: bool = True) -> None:
        self.http.request("PATCH", f"/api/now/table/{target.table or 'incident'}/{target.api_id}",
                          json=body, params={"sysparm_exclude_reference_link": "true"},
                          idempotent=idempotent)

    def update_fields(self, target: TicketTarget, fields: TicketFields) -> None:
        """Set impact, urgency and assignment group."""
        body = {k: v for k, v in (("impact", fields.impact), ("urgency", fields.urgency),
                                  ("assignment_group", fields.group)) if v}
        if target.table == "sc_request":
            body.pop("impact", None), body.pop("urgency", None)
        if body:
            self._patch(target, body)

    def has_comment(self, target: TicketTarget, marker: str) -> bool:
        """True when a work note with `marker` is already journaled on the record."""
        query = f"element_id={target.api_id}^element=work_notes^valueLIKE{marker}"
        page = self.http.request("GET", "/api/now/table/sys_journal_field", params={
            "sysparm_query": query, "sysparm_fields": "sys_id", "sysparm_limit": "1"}).json()
        return bool(page.get("result"))

    def add_comment(self, target: TicketTarget, text: str) -> None:
        """Add the decision as a work note (internal, not sent to the caller)."""
        self._patch(target, {"work_notes": text}, idempotent=False)

    def link(self, child: TicketTarget, parent: TicketTarget, link_type: str) -> None:
        """Make the parent incident the child's `parent_incident` (idempotent PATCH)."""
        if (child.table or "incident") == "incident" and (parent.table or "incident") == \
                "incident":
            self._patch(child, {"parent_incident": parent.api_id})

    def poll(self, cursor: dict[str, Any], options: PollOptions) -> PollPage:
        """One page of `cursor["table"]` records updated since `cursor["since"]`."""
        since = datetime.fromisoformat(cursor["since"])
        query = f"sys_updated_on>={sn_time(since)}"
        if options.query:
            query += f"^{options.query}"
        offset = int(cursor.get("token") or 0)
        page = self.http.request("GET", f"/api/now/table/{cursor['table']}", params={
            "sysparm_query": query + "^ORDERBYsys_updated_on^ORDERBYnumber",
            "sysparm_limit": str(options.page_size), "sysparm_offset": str(offset),
            "sysparm_display_value": "all", "sysparm_exclude_reference_link": "true"}).json()
        records = list(page.get("result") or [])
        done = len(records) < options.page_size
        return PollPage(records=records, cursor={"token": None if done else
                                                 str(offset + len(records))}, done=done)
