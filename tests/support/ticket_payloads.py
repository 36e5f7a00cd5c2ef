"""Webhook bodies shaped as the vendors document them (Jira Cloud webhooks, ServiceNow Table API
records, Zendesk ticket events), for the parser, route, stand-in and eval tests."""

from __future__ import annotations

from typing import Any

JIRA_BASE = "https://acme.atlassian.net"


def jira_issue(key: str = "OPS-17", summary: str = "Checkout returns 500 for every card payment",
               description: Any = None, *, issue_id: str = "10002",
               issuetype: str = "Task", priority: str = "Medium",
               created: str = "2026-12-01T09:00:00.000+0000",
               updated: str = "2026-12-01T09:00:00.000+0000",
               reporter: str = "ann@example.com", components: list[str] | None = None,
               labels: list[str] | None = None, status: str = "Open",
               status_category: str = "new") -> dict[str, Any]:
    """A Jira Cloud issue as the REST API v3 and webhooks send it (ADF description)."""
    text = description if description is not None else "Customers see an error page at checkout."
    adf = text if not isinstance(text, str) else {
        "type": "doc", "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
    return {
        "id": issue_id, "self": f"{JIRA_BASE}/rest/api/3/issue/{issue_id}", "key": key,
        "fields": {
            "summary": summary, "description": adf,
            "issuetype": {"id": "10001", "name": issuetype, "subtask": False},
            "priority": {"id": "3", "name": priority},
            "status": {"name": status, "statusCategory": {"key": status_category}},
            "reporter": {"accountId": "5b10a2844c20165700ede21g", "emailAddress": reporter,
                         "displayName": reporter.split("@")[0].title()},
            "creator": {"accountId": "5b10a2844c20165700ede21g", "emailAddress": reporter},
            "assignee": None,
            "labels": labels or [],
            "components": [{"id": "1", "name": c} for c in components or []],
            "project": {"id": "10000", "key": key.split("-")[0], "name": "Operations"},
            "created": created, "updated": updated,
        },
    }


def jira_webhook(event: str = "jira:issue_created", issue: dict[str, Any] | None = None, *,
                 changelog: list[dict[str, Any]] | None = None,
                 comment: dict[str, Any] | None = None, user: str = "ann@example.com",
                 timestamp: int = 1764579600000) -> dict[str, Any]:
    """A Jira Cloud webhook body (`webhookEvent`, `issue`, optional changelog / comment)."""
    body: dict[str, Any] = {
        "timestamp": timestamp, "webhookEvent": event,
        "issue_event_type_name": event.split(":")[-1].replace("jira", "issue"),
        "user": {"accountId": "u-" + user.split("@")[0], "emailAddress": user,
                 "displayName": user.split("@")[0].title()},
        "issue": issue or jira_issue(),
    }
    if changelog is not None:
        body["changelog"] = {"id": "10100", "items": changelog}
    if comment is not None:
        body["comment"] = comment
    return body


def jira_change(field: str, before: str, after: str) -> dict[str, Any]:
    """One Jira changelog item."""
    return {"field": field, "fieldtype": "jira", "fieldId": field, "from": None,
            "fromString": before, "to": None, "toString": after}


def snow_incident(number: str = "INC0010001", sys_id: str = "9d385017c611228701d22104cc95c371",
                  short: str = "VPN gateway down for the whole Berlin office", *,
                  description: str = "Nobody in Berlin can connect to the VPN since 09:00.",
                  impact: str = "2", urgency: str = "1", priority: str = "2",
                  state: str = "1", category: str = "network",
                  service: str | None = "vpn", ci: str | None = "vpn-gw-1",
                  opened_at: str = "2026-12-01 09:00:00",
                  updated: str = "2026-12-01 09:00:00") -> dict[str, Any]:
    """An incident record as the Table API returns it with sysparm_display_value=all."""
    def ref(value: str | None, table: str) -> dict[str, str] | str:
        if value is None:
            return ""
        return {"display_value": value, "value": f"{table}-{value}",
                "link": f"https://acme.service-now.com/api/now/table/{table}/{table}-{value}"}
    return {
        "sys_id": {"value": sys_id, "display_value": sys_id},
        "number": {"value": number, "display_value": number},
        "sys_class_name": {"value": "incident", "display_value": "Incident"},
        "short_description": {"value": short, "display_value": short},
        "description": {"value": description, "display_value": description},
        "caller_id": ref("Abel Tuter", "sys_user"), "opened_by": ref("Beth Anglin", "sys_user"),
        "category": {"value": category, "display_value": category.title()},
        "subcategory": {"value": "vpn", "display_value": "VPN"},
        "business_service": ref(service, "cmdb_ci_service"), "cmdb_ci": ref(ci, "cmdb_ci"),
        "impact": {"value": impact, "display_value": f"{impact} - x"},
        "urgency": {"value": urgency, "display_value": f"{urgency} - x"},
        "priority": {"value": priority, "display_value": f"{priority} - x"},
        "state": {"value": state, "display_value": "New"},
        "assignment_group": ref("Service Desk", "sys_user_group"),
        "opened_at": {"value": opened_at, "display_value": opened_at},
        "sys_updated_on": {"value": updated, "display_value": updated},
        "sys_updated_by": {"value": "beth.anglin", "display_value": "beth.anglin"},
    }


def snow_request(number: str = "REQ0010002", sys_id: str = "b1c2d3", *,
                 short: str = "New laptop for a new hire",
                 opened_at: str = "2026-12-01 10:00:00") -> dict[str, Any]:
    """An sc_request record as a business rule sends it (plain values)."""
    return {"sys_id": sys_id, "number": number, "sys_class_name": "sc_request",
            "short_description": short, "description": "Starts Monday, needs a MacBook.",
            "requested_for": "Carla Reyes", "opened_by": "Carla Reyes",
            "request_state": "requested", "priority": "4", "opened_at": opened_at,
            "sys_updated_on": opened_at}


def zendesk_ticket(ticket_id: str = "35", subject: str = "Cannot log in to the shop", *,
                   description: str = "SSO login fails with error 500 for all of our staff.",
                   priority: str = "NORMAL", ticket_type: str = "QUESTION",
                   status: str = "NEW", tags: list[str] | None = None,
                   created: str = "2026-12-01T09:00:00Z",
                   updated: str = "2026-12-01T09:00:00Z") -> dict[str, Any]:
    """The `detail` object of a Zendesk ticket event (2022-11-06 schema)."""
    return {"actor_id": "9001", "assignee_id": None, "brand_id": "1", "created_at": created,
            "custom_status": "1", "description": description, "external_id": None,
            "form_id": "1", "group_id": "360001", "id": ticket_id, "is_public": True,
            "organization_id": "77", "priority": priority, "requester_id": "12345",
            "status": status, "subject": subject, "submitter_id": "12345", "tags": tags or [],
            "type": ticket_type, "updated_at": updated, "via": {"channel": "web_form"}}


def zendesk_event(kind: str = "ticket.created", detail: dict[str, Any] | None = None,
                  event: dict[str, Any] | None = None, *, event_id: str = "evt-1",
                  time: str = "2026-12-01T09:00:00Z") -> dict[str, Any]:
    """A Zendesk event-subscribed webhook body."""
    ticket = detail or zendesk_ticket()
    return {"account_id": 22129848, "detail": ticket, "event": event or {}, "id": event_id,
            "subject": f"zen:ticket:{ticket['id']}", "time": time,
            "type": f"zen:event-type:{kind}", "zendesk_event_version": "2022-11-06"}
