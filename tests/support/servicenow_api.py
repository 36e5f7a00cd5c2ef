"""A local stand-in for the ServiceNow Table API (the calls Triage makes, documented shapes).

Records live in memory per table as the Table API returns them with plain values.
Implemented: `GET /api/now/table/{table}` (`sysparm_query` with `sys_updated_on>=<t>` and
`ORDERBY…`, `sysparm_limit`, `sysparm_offset`; `{"result": [...]}`), `GET/PATCH
/api/now/table/{table}/{sys_id}` (PATCH validates impact/urgency choices 1-3 and applies
fields; `work_notes` becomes a `sys_journal_field` entry; `{"result": {...}}`), and
`GET /api/now/table/sys_journal_field` (`element_id=…^element=work_notes^valueLIKE…`).
Errors are `{"error": {"message", "detail"}, "status": "failure"}`.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

from tests.support.ticket_api import Reply, Request, TicketApiStandIn, bump

NOT_FOUND = {"error": {"message": "No Record found",
                       "detail": "Record doesn't exist or ACL restricts the record retrieval"},
             "status": "failure"}


def sn_error(message: str, detail: str) -> dict[str, Any]:
    """A ServiceNow REST error body."""
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


class ServiceNowStandIn(TicketApiStandIn):
    """ServiceNow Table API in memory."""

    auth_error = sn_error("User Not Authenticated", "Required to provide Auth information")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.journal: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.route("GET", r"/api/now/table/sys_journal_field", self._journal)
        self.route("GET", r"/api/now/table/(?P<table>\w+)", self._query)
        self.route("GET", r"/api/now/table/(?P<table>\w+)/(?P<sys_id>\w+)", self._get)
        self.route("PATCH", r"/api/now/table/(?P<table>\w+)/(?P<sys_id>\w+)", self._patch)

    def add_record(self, table: str, record: dict[str, Any]) -> None:
        """Seed a record with plain values (sys_id, number, sys_updated_on, ...)."""
        with self.lock:
            self.tables.setdefault(table, {})[record["sys_id"]] = copy.deepcopy(record)

    def work_notes(self, sys_id: str) -> list[str]:
        """Work-note texts journaled on a record."""
        return [j["value"] for j in self.journal
                if j["element_id"] == sys_id and j["element"] == "work_notes"]

    def _get(self, req: Request, m: re.Match[str]) -> Reply:
        record = self.tables.get(m["table"], {}).get(m["sys_id"])
        return (200, {"result": copy.deepcopy(record)}, {}) if record else (404, NOT_FOUND, {})

    def _patch(self, req: Request, m: re.Match[str]) -> Reply:
        record = self.tables.get(m["table"], {}).get(m["sys_id"])
        if record is None:
            return 404, NOT_FOUND, {}
        body = req.body if isinstance(req.body, dict) else {}
        for field in ("impact", "urgency"):
            if field in body and str(body[field]) not in ("1", "2", "3"):
                return 400, sn_error("Invalid value", f"{field}: {body[field]!r} is not a "
                                     "valid choice"), {}
        for field, value in body.items():
            if field in ("work_notes", "comments"):
                self.journal.append({"sys_id": f"j{next(self._ids)}", "element_id":
                                     m["sys_id"], "element": field, "value": value,
                                     "name": m["table"]})
            else:
                record[field] = value
        record["sys_updated_on"] = bump(record.get("sys_updated_on"), "%Y-%m-%d %H:%M:%S")
        record["sys_updated_by"] = self.user or "oauth.user"
        if "impact" in body or "urgency" in body:
            rank = int(record.get("impact", 3)) + int(record.get("urgency", 3)) - 1
            record["priority"] = str(min(5, rank))  # the default priority lookup rules
        return 200, {"result": copy.deepcopy(record)}, {}

    def _journal(self, req: Request, m: re.Match[str]) -> Reply:
        terms = dict(t.split("=", 1) for t in req.query.get("sysparm_query", "").split("^")
                     if "=" in t and "LIKE" not in t)
        like = next((t.split("LIKE", 1)[1] for t in req.query.get("sysparm_query", "").split("^")
                     if "LIKE" in t), "")
        rows = [{"sys_id": j["sys_id"]} for j in self.journal
                if j["element_id"] == terms.get("element_id")
                and j["element"] == terms.get("element", j["element"]) and like in j["value"]]
        return 200, {"result": rows[:int(req.query.get("sysparm_limit", 100))]}, {}

    def _query(self, req: Request, m: re.Match[str]) -> Reply:
        query = req.query.get("sysparm_query", "")
        since = re.search(r"sys_updated_on>=(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", query)
        rows = [r for r in self.tables.get(m["table"], {}).values()
                if since is None or str(r.get("sys_updated_on", "")) >= since[1]]
        rows.sort(key=lambda r: (str(r.get("sys_updated_on")), str(r.get("number"))))
        offset, limit = int(req.query.get("sysparm_offset", 0)), int(req.query.get(
            "sysparm_limit", 10000))
        return 200, {"result": copy.deepcopy(rows[offset:offset + limit])}, {}
