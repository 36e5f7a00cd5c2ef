"""Zendesk Support API client: ticket updates, private comments, problem links, incremental export.

Calls (developer.zendesk.com, Support API): `PUT /api/v2/tickets/{id}` with
`{"ticket": {"priority", "type", "group_id", "additional_tags"}}` → 200 `{"ticket", "audit"}`;
a private comment is `{"ticket": {"comment": {"body", "public": false}}}`;
`GET /api/v2/tickets/{id}/comments` → `{"comments": [...], "next_page"}`; a user report is
linked to its incident by making it an `incident` with `problem_id` = the parent, and the parent
a `problem`; polling is the cursor-based incremental export
`GET /api/v2/incremental/tickets/cursor.json?start_time=<unix>` then `?cursor=<after_cursor>`
→ `{"tickets", "after_cursor", "end_of_stream"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.config.tickets import PollOptions, TicketInstance
from agent.tickets.http import RetryingClient
from agent.tickets.types import PollPage, TicketFields, TicketTarget


class ZendeskClient:
    """Write-back and polling against one Zendesk Support account."""

    system = "zendesk"

    def __init__(self, http: RetryingClient, inst: TicketInstance) -> None:
        self.http, self.inst = http, inst

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    def _put(self, ticket_id: str, ticket: dict[str, Any], idempotent: bool = True) -> None:
        self.http.request("PUT", f"/api/v2/tickets/{ticket_id}.json", json={"ticket": ticket},
                          idempotent=idempotent)

    def update_fields(self, target: TicketTarget, fields: TicketFields) -> None:
        """Set priority, type and group; add tags (existing tags are kept)."""
        ticket: dict[str, Any] = {}
        if fields.priority:
            ticket["priority"] = fields.priority
        if fields.issue_type:
            ticket["type"] = fields.issue_type
        if fields.group:
            ticket["group_id"] = int(fields.group) if fields.group.isdigit() else fields.group
        if fields.labels:
            ticket["additional_tags"] = list(fields.labels)
        if ticket:
            self._put(target.api_id, ticket)

    def has_comment(self, target: TicketTarget, marker: str) -> bool:
        """Page through the ticket's comments looking for `marker`."""
        url: str | None = f"/api/v2/tickets/{target.api_id}/comments.json"
        while url:
            page = self.http.request("GET", url).json()
            if any(marker in (c.get("body") or "") for c in page.get("comments") or []):
                return True
            url = page.get("next_page")
        return False

    def add_comment(self, target: TicketTarget, text: str) -> None:
        """Add the decision as a private (internal) comment."""
        self._put(target.api_id, {"comment": {"body": text, "public": False}}, idempotent=False)

    def link(self, child: TicketTarget, parent: TicketTarget, link_type: str) -> None:
        """Make the parent a problem and the child an incident of it."""
        self._put(parent.api_id, {"type": "problem"})
        self._put(child.api_id, {"type": "incident", "problem_id": int(parent.api_id)
                                 if parent.api_id.isdigit() else parent.api_id})

    def poll(self, cursor: dict[str, Any], options: PollOptions) -> PollPage:
        """One page of the incremental ticket export (resuming the saved export cursor)."""
        token = cursor.get("token") or cursor.get("resume")
        if token:
            params: dict[str, str] = {"cursor": token}
        else:
            since = datetime.fromisoformat(cursor["since"])
            params = {"start_time": str(int(since.timestamp()))}
        params["per_page"] = str(options.page_size)
        page = self.http.request("GET", "/api/v2/incremental/tickets/cursor.json",
                                 params=params).json()
        after = page.get("after_cursor")
        return PollPage(records=list(page.get("tickets") or []),
                        cursor={"token": after, "resume": after or token},
                        done=bool(page.get("end_of_stream", True)))
