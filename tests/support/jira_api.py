"""A local stand-in for the Jira Cloud REST API v3 (the calls Triage makes, documented shapes).

Issues live in memory as the API returns them (`{"id", "key", "self", "fields"}`). Implemented:
`GET/PUT /rest/api/3/issue/{key}` (PUT validates `fields.priority.name`, `fields.issuetype.name`
against the site's schemes and answers 400 `{"errorMessages", "errors": {field: message}}`,
applies `update.labels[].add`; 204), `GET/POST /rest/api/3/issue/{key}/comment` (ADF bodies,
paged `startAt`/`maxResults`/`total`; POST 201), `POST /rest/api/3/issueLink` (201, 404 for an
unknown issue, 400 for an unknown link type), `POST /rest/api/3/search/jql` (`updated >=
"yyyy-MM-dd HH:mm"` plus `ORDER BY updated ASC, key ASC`, `nextPageToken`, `isLast`).
A missing issue is 404 `{"errorMessages": ["Issue does not exist or you do not have permission
to see it."], "errors": {}}`; bad credentials are 401.
"""

from __future__ import annotations

import copy
import itertools
import re
from datetime import datetime
from typing import Any

from agent.signals.formats.common import parse_time
from tests.support.ticket_api import Reply, Request, TicketApiStandIn, bump

PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
ISSUE_TYPES = ("Task", "Bug", "Incident", "Service Request", "Problem")
LINK_TYPES = ("Relates", "Blocks", "Duplicate", "Cloners")
STAMP = "%Y-%m-%dT%H:%M:%S.000+0000"
NOT_FOUND = {"errorMessages": ["Issue does not exist or you do not have permission to see it."],
             "errors": {}}


class JiraStandIn(TicketApiStandIn):
    """Jira Cloud REST v3 in memory."""

    auth_error = {"errorMessages": ["You are not authenticated. Authentication required to "
                                    "perform this operation."], "errors": {}}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.issues: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.links: list[dict[str, Any]] = []
        self.priorities = list(PRIORITIES)  # the site's priority scheme (tests may extend it)
        self._ids = itertools.count(10000)
        key = r"/rest/api/3/issue/(?P<key>[A-Z][A-Z0-9]*-\d+)"
        self.route("GET", key, self._get)
        self.route("PUT", key, self._put)
        self.route("GET", key + "/comment", self._comments)
        self.route("POST", key + "/comment", self._comment)
        self.route("POST", r"/rest/api/3/issueLink", self._link)
        self.route("POST", r"/rest/api/3/search/jql", self._search)

    def add_issue(self, issue: dict[str, Any]) -> None:
        """Seed an issue (as `tests.support.ticket_payloads.jira_issue` builds it)."""
        with self.lock:
            self.issues[issue["key"]] = copy.deepcopy(issue)
            self.comments.setdefault(issue["key"], [])

    def comment_texts(self, key: str) -> list[str]:
        """The plain text of each comment on an issue."""
        from agent.signals.formats.ticketing import text_of

        return [text_of(c["body"]) or "" for c in self.comments.get(key, [])]

    def _issue(self, key: str) -> dict[str, Any] | None:
        return self.issues.get(key)

    def _get(self, req: Request, m: re.Match[str]) -> Reply:
        issue = self._issue(m["key"])
        if issue is None:
            return 404, NOT_FOUND, {}
        out = copy.deepcopy(issue)
        out["fields"]["issuelinks"] = [
            {"id": link["id"], "type": {"name": link["type"]},
             **({"outwardIssue": {"key": link["outward"]}} if link["inward"] == m["key"] else
                {"inwardIssue": {"key": link["inward"]}})}
            for link in self.links if m["key"] in (link["inward"], link["outward"])]
        if wanted := req.query.get("fields"):
            names = set(wanted.split(","))
            out["fields"] = {k: v for k, v in out["fields"].items() if k in names}
        return 200, out, {}

    def _put(self, req: Request, m: re.Match[str]) -> Reply:
        issue = self._issue(m["key"])
        if issue is None:
            return 404, NOT_FOUND, {}
        body = req.body if isinstance(req.body, dict) else {}
        fields = body.get("fields") or {}
        errors = {}
        priority = (fields.get("priority") or {}).get("name") if "priority" in fields else None
        if "priority" in fields and priority not in self.priorities:
            errors["priority"] = "Specify a valid priority"
        kind = (fields.get("issuetype") or {}).get("name") if "issuetype" in fields else None
        if "issuetype" in fields and kind not in ISSUE_TYPES:
            errors["issuetype"] = "Specify a valid issue type"
        unknown = [k for k in fields if k not in ("priority", "issuetype", "labels")
                   and not k.startswith("customfield_")]
        for name in unknown:
            errors[name] = (f"Field '{name}' cannot be set. It is not on the appropriate screen, "
                            "or unknown.")
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        target = issue["fields"]
        if priority:
            target["priority"] = {"id": str(self.priorities.index(priority) + 1),
                                  "name": priority}
        if kind:
            target["issuetype"] = {"id": "1", "name": kind}
        for key, value in fields.items():
            if key.startswith("customfield_"):
                target[key] = value
        for op in (body.get("update") or {}).get("labels") or []:
            if "add" in op and op["add"] not in target["labels"]:
                target["labels"].append(op["add"])
        target["updated"] = bump(target.get("updated"), STAMP)
        return 204, None, {}

    def _comments(self, req: Request, m: re.Match[str]) -> Reply:
        if self._issue(m["key"]) is None:
            return 404, NOT_FOUND, {}
        items = self.comments[m["key"]]
        start, size = int(req.query.get("startAt", 0)), int(req.query.get("maxResults", 50))
        return 200, {"startAt": start, "maxResults": size, "total": len(items),
                     "comments": items[start:start + size]}, {}

    def _comment(self, req: Request, m: re.Match[str]) -> Reply:
        if self._issue(m["key"]) is None:
            return 404, NOT_FOUND, {}
        body = (req.body or {}).get("body") if isinstance(req.body, dict) else None
        if not isinstance(body, dict) or body.get("type") != "doc":
            return 400, {"errorMessages": ["Comment body is not valid: expected an Atlassian "
                                           "Document Format document."], "errors": {}}, {}
        comment = {"id": str(next(self._ids)), "body": body, "created": "2026-12-01T10:00:00.000"
                   "+0000", "author": {"accountId": "triage-bot", "displayName": "Triage"}}
        self.comments[m["key"]].append(comment)
        fields = self.issues[m["key"]]["fields"]
        fields["updated"] = bump(fields.get("updated"), STAMP)
        return 201, comment, {}

    def _link(self, req: Request, m: re.Match[str]) -> Reply:
        body = req.body if isinstance(req.body, dict) else {}
        inward = (body.get("inwardIssue") or {}).get("key")
        outward = (body.get("outwardIssue") or {}).get("key")
        name = (body.get("type") or {}).get("name")
        if name not in LINK_TYPES:
            return 400, {"errorMessages": [f"No issue link type with name '{name}' found."],
                         "errors": {}}, {}
        if self._issue(inward or "") is None or self._issue(outward or "") is None:
            return 404, NOT_FOUND, {}
        self.links.append({"id": str(next(self._ids)), "type": name, "inward": inward,
                           "outward": outward})
        return 201, None, {}

    def _search(self, req: Request, m: re.Match[str]) -> Reply:
        body = req.body if isinstance(req.body, dict) else {}
        jql = str(body.get("jql") or "")
        found = re.search(r'updated >= "(\d{4}-\d\d-\d\d \d\d:\d\d)"', jql)
        if found is None:
            return 400, {"errorMessages": ["Error in the JQL Query."], "errors": {}}, {}
        since = datetime.fromisoformat(found[1] + ":00+00:00")
        matches = []
        for issue in self.issues.values():
            updated = parse_time(issue["fields"]["updated"], "updated")
            if updated is not None and updated >= since:
                matches.append((updated, issue["key"], issue))
        matches.sort(key=lambda x: (x[0], x[1]))
        start = int(body.get("nextPageToken") or 0)
        size = int(body.get("maxResults") or 50)
        page = [copy.deepcopy(i) for _, _, i in matches[start:start + size]]
        last = start + size >= len(matches)
        out: dict[str, Any] = {"issues": page, "isLast": last}
        if not last:
            out["nextPageToken"] = str(start + size)
        return 200, out, {}
