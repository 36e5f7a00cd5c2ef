"""The `tickets` section of the YAML config: Jira, ServiceNow and Zendesk instances.

Secrets never sit in the file: every credential is the NAME of an environment variable
(`password_env: JIRA_API_TOKEN`). Each instance says how its webhooks authenticate, how its
REST API is reached for write-back and polling, and how decisions map onto its fields.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TicketSystem = Literal["jira", "servicenow", "zendesk"]
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _env_names(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        raise ValueError("must be the NAME of an environment variable (letters, digits, _)")
    return value


class ApiAuth(_Strict):
    """REST API credentials by environment variable name: basic (user + password or API
    token; Zendesk API tokens use `email/token` as the user) or an OAuth bearer token."""

    username_env: str | None = None
    password_env: str | None = None
    token_env: str | None = None

    _names = field_validator("username_env", "password_env", "token_env")(_env_names)


class WebhookAuth(_Strict):
    """How inbound webhooks authenticate. Jira: `secret_env` (HMAC `X-Hub-Signature`);
    Zendesk: `secret_env` (signing secret, `X-Zendesk-Webhook-Signature`); ServiceNow:
    basic (`username_env` + `password_env`) or an OAuth bearer (`token_env`). A bearer
    `token_env` is accepted for every system (a Jira automation rule can send one)."""

    secret_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    token_env: str | None = None
    tolerance_s: float = Field(300.0, gt=0)  # Zendesk signature timestamp freshness

    _names = field_validator("secret_env", "username_env", "password_env",
                             "token_env")(_env_names)


class TicketMapping(_Strict):
    """Decision → ticket fields. Empty tables fall back to each system's defaults
    (docs/tickets.md); a kind or team missing from a table leaves that field untouched."""

    priority: dict[str, str] = Field(default_factory=dict)  # P1..P5 → priority name / code
    impact: dict[str, str] = Field(default_factory=dict)  # high|medium|low → code
    urgency: dict[str, str] = Field(default_factory=dict)  # high|medium|low → code
    issue_type: dict[str, str] = Field(default_factory=dict)  # kind → issue type / ticket type
    groups: dict[str, str] = Field(default_factory=dict)  # team → group name, sys_id or id
    labels: list[str] = Field(default_factory=lambda: ["triage"])  # added on every write-back
    kind_label: bool = True  # also add `triage-<kind>`
    team_field: str | None = None  # Jira: custom field holding the team (customfield_10001)
    link_type: str = "Relates"  # Jira issue link type for user report → incident


class PollOptions(_Strict):
    """Poll mode for instances that cannot send webhooks (`triage tickets poll`)."""

    enabled: bool = False
    interval: str = "60s"
    query: str | None = None  # Jira JQL filter / ServiceNow encoded query, ANDed with the cursor
    tables: list[str] = Field(default_factory=lambda: ["incident", "sc_request"])
    page_size: int = Field(50, ge=1, le=1000)
    start: str | None = None  # RFC 3339: where a first poll starts (default: now - 1 hour)


class TicketInstance(_Strict):
    """One ticket system instance."""

    system: TicketSystem
    base_url: str
    auth: ApiAuth = Field(default_factory=ApiAuth)
    webhook: WebhookAuth = Field(default_factory=WebhookAuth)
    write_back: bool = True
    comment: bool = True
    mapping: TicketMapping = Field(default_factory=TicketMapping)
    poll: PollOptions = Field(default_factory=PollOptions)
    integration_user: str | None = None  # the API account: its changes are never overrides
    triage_url: str | None = None  # public URL of this service, for links in comments
    timeout_s: float = Field(10.0, gt=0)
    max_retries: int = Field(4, ge=0, le=20)  # per call, on 429 / 5xx / network errors
    backoff_base_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(30.0, ge=0)
    max_attempts: int = Field(10, ge=1)  # outbox attempts per step before it is parked

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class TicketsSection(_Strict):
    """Every configured ticket-system instance, by name."""

    instances: dict[str, TicketInstance] = Field(default_factory=dict)

    def of_system(self, system: str, name: str | None = None) -> tuple[str, TicketInstance] | None:
        """The named instance of `system`, or its only (first) instance when no name is given."""
        for key, inst in self.instances.items():
            if inst.system == system and (name is None or key == name):
                return key, inst
        return None
