"""A local stand-in for the Zendesk Support API (the calls Triage makes, documented shapes).

Tickets live in memory as the Tickets API returns them. Implemented: `PUT
/api/v2/tickets/{id}.json` (`{"ticket": {...}}`: priority urgent/high/normal/low, type
problem/incident/question/task, group_id, additional_tags, problem_id, comment `{"body",
"public"}`; 422 `{"error": "RecordInvalid", "description", "details"}`; 200 `{"ticket",
"audit"}`), `GET /api/v2/tickets/{id}/comments.json` (`{"comments", "next_page", "count"}`),
`GET /api/v2/incremental/tickets/cursor.json` (`start_time` or `cursor`, `per_page`;
`{"tickets", "after_cursor", "end_of_stream"}`).
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

from agent.signals.formats.common import parse_time
from tests.support.ticket_api import Reply, Request, TicketApiStandIn, bump

PRIORITIES = ("urgent", "high", "normal", "low")
TYPES = ("problem", "incident", "question", "task")


class ZendeskStandIn(TicketApiStandIn):
    """Zendesk Support API in memory."""

    auth_error = {"error": "Couldn't authenticate you"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tickets: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(5000)
        self.route("PUT", r"/api/v2/tickets/(?P<id>\d+)\.json", self._put)
        self.route("GET", r"/api/v2/tickets/(?P<id>\d+)/comments\.json", self._comments)
        self.route("GET", r"/api/v2/incremental/tickets/cursor\.json", self._export)

    def add_ticket(self, ticket: dict[str, Any]) -> None:
        """Seed a ticket (API shape: lower-case priority/type/status, numeric ids)."""
        with self.lock:
            self.tickets[str(ticket["id"])] = copy.deepcopy(ticket)
            self.comments.setdefault(str(ticket["id"]), [])

    def _put(self, req: Request, m: re.Match[str]) -> Reply:
        ticket = self.tickets.get(m["id"])
        if ticket is None:
            return 404, {"error": "RecordNotFound", "description": "Not found"}, {}
        update = (req.body or {}).get("ticket") if isinstance(req.body, dict) else None
        if not isinstance(update, dict):
            return 400, {"error": "InvalidEndpoint", "description": "ticket is required"}, {}
        details: dict[str, list[dict[str, str]]] = {}
        if "priority" in update and update["priority"] not in PRIORITIES:
            details["priority"] = [{"description": "Priority: is invalid"}]
        if "type" in update and update["type"] not in TYPES:
            details["type"] = [{"description": "Type: is invalid"}]
        if "group_id" in update and not isinstance(update["group_id"], int):
            details["group_id"] = [{"description": "Group: is invalid"}]
        if details:
            return 422, {"error": "RecordInvalid", "description": "Record validation errors",
                         "details": details}, {}
        events = []
        for key in ("priority", "type", "group_id", "problem_id", "status"):
            if key in update:
                events.append({"type": "Change", "field_name": key, "value": update[key],
                               "previous_value": ticket.get(key)})
                ticket[key] = update[key]
        for tag in update.get("additional_tags") or []:
            if tag not in ticket.setdefault("tags", []):
                ticket["tags"].append(tag)
        if isinstance(update.get("comment"), dict):
            comment = {"id": next(self._ids), "type": "Comment", "author_id": 1,
                       "body": update["comment"].get("body", ""),
                       "public": bool(update["comment"].get("public", True))}
            self.comments[m["id"]].append(comment)
            events.append(comment)
        ticket["updated_at"] = bump(ticket.get("updated_at"), "%Y-%m-%dT%H:%M:%SZ")
        return 200, {"ticket": copy.deepcopy(ticket),
                     "audit": {"id": next(self._ids), "ticket_id": int(m["id"]),
                               "events": events}}, {}

    def _comments(self, req: Request, m: re.Match[str]) -> Reply:
        items = self.comments.get(m["id"])
        if items is None:
            return 404, {"error": "RecordNotFound", "description": "Not found"}, {}
        return 200, {"comments": items, "next_page": None, "previous_page": None,
                     "count": len(items)}, {}

    def _export(self, req: Request, m: re.Match[str]) -> Reply:
        def key(t: dict[str, Any]) -> tuple[float, int]:
            return parse_time(t["updated_at"], "u").timestamp(), int(t["id"])

        ordered = sorted(self.tickets.values(), key=key)
        if "cursor" in req.query:  # opaque to clients: the (updated_at, id) of the last ticket
            stamp, last = req.query["cursor"].split(":")
            after = (float(stamp), int(last))
            rest = [t for t in ordered if key(t) > after]
        else:
            since = float(req.query.get("start_time", 0))
            rest = [t for t in ordered if key(t)[0] >= since]
        size = int(req.query.get("per_page", 1000))
        page = rest[:size]
        cursor = f"{key(page[-1])[0]}:{key(page[-1])[1]}" if page else req.query.get("cursor")
        return 200, {"tickets": copy.deepcopy(page), "after_cursor": cursor,
                     "before_cursor": None, "end_of_stream": len(rest) <= size}, {}
