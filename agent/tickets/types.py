"""Types shared by the ticket clients, the outbox and the poller (dataclasses and Protocols)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.config.tickets import PollOptions


@dataclass(frozen=True)
class TicketTarget:
    """Which ticket a call is about: the key users see, the API id, the ServiceNow table."""

    key: str
    ref: str | None = None
    table: str | None = None

    @property
    def api_id(self) -> str:
        """The id the REST API addresses the ticket by (sys_id for ServiceNow)."""
        return self.ref or self.key


@dataclass
class TicketFields:
    """What Triage writes, in the system's own vocabulary (None: leave the field alone)."""

    priority: str | None = None
    impact: str | None = None
    urgency: str | None = None
    issue_type: str | None = None
    group: str | None = None
    labels: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored in the outbox and in the ticket state."""
        return {"priority": self.priority, "impact": self.impact, "urgency": self.urgency,
                "issue_type": self.issue_type, "group": self.group, "labels": self.labels}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketFields:
        """Inverse of as_dict."""
        return cls(**{k: data.get(k) for k in ("priority", "impact", "urgency", "issue_type",
                                                "group")}, labels=list(data.get("labels") or []))


@dataclass
class PollPage:
    """One page of polled tickets: raw records (parser input), the cursor after the page."""

    records: list[dict[str, Any]]
    cursor: dict[str, Any]
    done: bool


class TicketClient(Protocol):
    """The write-back and poll operations each system's REST client provides."""

    system: str

    def update_fields(self, target: TicketTarget, fields: TicketFields) -> None:
        """Set priority / impact / urgency / type / group and add labels."""

    def has_comment(self, target: TicketTarget, marker: str) -> bool:
        """True when a comment carrying `marker` is already on the ticket."""

    def add_comment(self, target: TicketTarget, text: str) -> None:
        """Add an internal comment (Jira comment, ServiceNow work note, Zendesk private)."""

    def link(self, child: TicketTarget, parent: TicketTarget, link_type: str) -> None:
        """Link a user-report ticket to the ticket of the incident it belongs to."""

    def poll(self, cursor: dict[str, Any], options: PollOptions) -> PollPage:
        """One page of tickets updated since the cursor, oldest first."""

    def close(self) -> None:
        """Release connections."""
