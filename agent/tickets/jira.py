"""Jira Cloud REST API v3 client: fields, comments, issue links, JQL search (poll).

Calls (developer.atlassian.com, REST v3): `PUT /rest/api/3/issue/{key}` with `fields`
(priority, issuetype, the configured team field) and `update.labels[].add` → 204;
`GET /rest/api/3/issue/{key}/comment` (paged: startAt, maxResults, total) and
`POST /rest/api/3/issue/{key}/comment` with an Atlassian Document Format body → 201;
`GET /rest/api/3/issue/{key}?fields=issuelinks` and `POST /rest/api/3/issueLink`
(`type.name`, `inwardIssue.key`, `outwardIssue.key`) → 201;
`POST /rest/api/3/search/jql` (`jql`, `maxResults`, `fields`, `nextPageToken`) →
`{"issues", "nextPageToken", "isLast"}`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from agent.config.tickets import PollOptions, TicketInstance
from agent.signals.formats.ticketing import text_of
from agent.tickets.http import RetryingClient
from agent.tickets.types import PollPage, TicketFields, TicketTarget

_LABEL_BAD = re.compile(r"[^A-Za-z0-9_.:-]+")


def adf(text: str) -> dict[str, Any]:
    """A plain-text comment as an Atlassian Document Format document (one paragraph a line)."""
    return {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        for line in text.splitlines() if line.strip()]}


def jql_time(moment: datetime) -> str:
    """A JQL date literal (minute precision, UTC: the API user's zone must be UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M")


class JiraClient:
    """Write-back and polling against one Jira Cloud site."""

    system = "jira"

    def __init__(self, http: RetryingClient, inst: TicketInstance) -> None:
        self.http, self.inst = http, inst

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    def update_fields(self, target: TicketTarget, fields: TicketFields) -> None:
        """Set priority, issue type and team field; add labels (existing labels are kept)."""
        body_fields: dict[str, Any] = {}
        if fields.priority:
            body_fields["priority"] = {"name": fields.priority}
        if fields.issue_type:
            body_fields["issuetype"] = {"name": fields.issue_type}
        labels = list(fields.labels)
        if fields.group and self.inst.mapping.team_field:
            body_fields[self.inst.mapping.team_field] = {"value": fields.group}
        elif fields.group:
            labels.append("team-" + _LABEL_BAD.sub("-", fields.group).strip("-").lower())
        body = {"fields": body_fields,
                "update": {"labels": [{"add": label} for label in labels]}}
        self.http.request("PUT", f"/rest/api/3/issue/{target.key}", json=body,
                          params={"notifyUsers": "false"})

    def has_comment(self, target: TicketTarget, marker: str) -> bool:
        """Page through the issue's comments looking for `marker`."""
        start = 0
        while True:
            page = self.http.request("GET", f"/rest/api/3/issue/{target.key}/comment",
                                     params={"startAt": start, "maxResults": 100}).json()
            comments = page.get("comments") or []
            if any(marker in (text_of(c.get("body")) or "") for c in comments):
                return True
            start += len(comments)
            if not comments or start >= int(page.get("total") or 0):
                return False

    def add_comment(self, target: TicketTarget, text: str) -> None:
        """Add the decision comment."""
        self.http.request("POST", f"/rest/api/3/issue/{target.key}/comment",
                          json={"body": adf(text)}, idempotent=False)

    def link(self, child: TicketTarget, parent: TicketTarget, link_type: str) -> None:
        """Link child → parent with `link_type` unless such a link exists already."""
        issue = self.http.request("GET", f"/rest/api/3/issue/{child.key}",
                                  params={"fields": "issuelinks"}).json()
        for item in (issue.get("fields") or {}).get("issuelinks") or []:
            keys = {(item.get(side) or {}).get("key") for side in ("inwardIssue", "outwardIssue")}
            if parent.key in keys:
                return
        self.http.request("POST", "/rest/api/3/issueLink", json={
            "type": {"name": link_type}, "inwardIssue": {"key": child.key},
            "outwardIssue": {"key": parent.key}})

    def poll(self, cursor: dict[str, Any], options: PollOptions) -> PollPage:
        """One page of issues updated since `cursor["since"]`, oldest first."""
        since = datetime.fromisoformat(cursor["since"])
        where = f"({options.query}) AND " if options.query else ""
        body: dict[str, Any] = {
            "jql": f'{where}updated >= "{jql_time(since)}" ORDER BY updated ASC, key ASC',
            "maxResults": options.page_size, "fields": ["*all"]}
        if cursor.get("token"):
            body["nextPageToken"] = cursor["token"]
        page = self.http.request("POST", "/rest/api/3/search/jql", json=body).json()
        token = page.get("nextPageToken")
        return PollPage(records=list(page.get("issues") or []), cursor={"token": token},
                        done=bool(page.get("isLast", not token)) or not token)
