"""The `incidents` YAML section: escalation policies, on-call, overrides, the Slack workflow.

```yaml
incidents:
  on_call: {payments: [U024BE7LH]}
  escalation:
    - name: payments
      team: payments                 # or services: [checkout-api]; neither = the default
      levels:
        - targets: [{on_call: true}]
          timeout: 5m
        - targets: [{slack_group: S0PAYLEADS}, {webhook: "https://pager.example/hook"}]
          timeout: 10m
      repeat: 1                      # run the chain again this many times if nobody acks
      quiet_hours: {start: "22:00", end: "07:00", timezone: "Europe/Berlin", page: [P1]}
  overrides:
    - {user: U024BE7LH, by: U0BACKUP1, start: "2026-12-01T00:00:00Z", end: "2026-12-02T00:00:00Z"}
  slack: {enabled: true, priorities: [P1, P2], channel_prefix: "inc-",
          status_every: {P1: 30m, P2: 1h}}
  verify_window: 15m
```
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from agent.kernel.durations import parse_duration
from agent.kernel.taxonomy import Priority

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """Who one escalation level notifies: exactly one of the fields."""

    slack_user: str | None = None
    slack_group: str | None = None  # a user group id (S…), mentioned in the team channel
    slack_channel: str | None = None
    webhook: str | None = None
    on_call: bool = False  # the team's on-call list (after overrides)

    @model_validator(mode="after")
    def _one(self) -> Target:
        set_ = [k for k in ("slack_user", "slack_group", "slack_channel", "webhook")
                if getattr(self, k)] + (["on_call"] if self.on_call else [])
        if len(set_) != 1:
            raise ValueError("a target names exactly one of slack_user, slack_group, "
                             "slack_channel, webhook, on_call")
        if self.webhook and not self.webhook.startswith(("http://", "https://")):
            raise ValueError("webhook: must be an http(s) URL")
        return self


class Level(_Strict):
    """One escalation level: targets, and how long to wait for an acknowledgement."""

    targets: list[Target] = Field(min_length=1)
    timeout: Duration = timedelta(minutes=15)

    @field_validator("timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be positive")
        return value


class QuietHours(_Strict):
    """A daily window in which only the listed priorities page; others wait until it ends."""

    start: time
    end: time
    timezone: str = "UTC"
    page: list[Priority] = Field(default_factory=lambda: ["P1"])

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def deferred(self, when: datetime, priority: str) -> datetime:
        """`when`, or the end of the quiet window it falls in (for priorities that wait)."""
        if priority in self.page or self.start == self.end:
            return when
        local = when.astimezone(ZoneInfo(self.timezone))
        t = local.time()
        inside = (self.start <= t < self.end if self.start < self.end
                  else t >= self.start or t < self.end)
        if not inside:
            return when
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0,
                            microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(when.tzinfo)


class Policy(_Strict):
    """An escalation policy for a team, some services, or (with neither) everything else."""

    name: str
    team: str | None = None
    services: list[str] = Field(default_factory=list)
    levels: list[Level] = Field(min_length=1)
    repeat: int = Field(0, ge=0, le=10)
    quiet_hours: QuietHours | None = None


class Override(_Strict):
    """A temporary on-call swap: `by` answers for `user` during [start, end)."""

    user: str
    by: str
    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end need a timezone (RFC 3339)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


def _cadence() -> dict[str, timedelta]:
    return {"P1": timedelta(minutes=30), "P2": timedelta(hours=1)}


class SlackWorkflow(_Strict):
    """Incident channels in Slack: for which priorities, their names, status reminders."""

    enabled: bool = False  # needs the channels:manage, channels:read, im:write scopes
    priorities: list[Priority] = Field(default_factory=lambda: ["P1", "P2"])
    channel_prefix: str = Field("inc-", pattern=r"^[a-z0-9_-]{0,20}$")
    invite_on_call: bool = True
    status_every: dict[Priority, Duration] = Field(default_factory=_cadence)


class EventsOut(_Strict):
    """Incident events out: CloudEvents 1.0 (CDEvents incident types) POSTed to `url`."""

    url: str
    source: str = "triage"  # the CloudEvents `source` URI-reference of this installation
    secret_env: str | None = "TRIAGE_EVENTS_SECRET"  # HMAC key (Standard Webhooks signature)
    # timeline events exported (empty: every event)
    events: list[str] = Field(default_factory=lambda: [
        "opened", "acknowledged", "mitigated", "resolved", "reopened", "priority_changed",
        "escalated", "escalated_now", "role_assigned", "remediation_verified",
        "remediation_not_verified", "remediation_unknown"])
    timeout_s: float = Field(5.0, gt=0, le=60)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value


class IncidentsSection(_Strict):
    """Incident response: escalation policies, on-call lists, overrides, Slack workflow."""

    escalation: list[Policy] = Field(default_factory=list)
    on_call: dict[str, list[str]] = Field(default_factory=dict)
    overrides: list[Override] = Field(default_factory=list)
    slack: SlackWorkflow = Field(default_factory=SlackWorkflow)
    verify_window: Duration = timedelta(minutes=15)
    events: EventsOut | None = None  # CloudEvents out (docs/escalation-webhooks.md)

    @model_validator(mode="after")
    def _unique(self) -> IncidentsSection:
        names = [p.name for p in self.escalation]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"escalation policy names repeat: {', '.join(dupes)}")
        return self

    def policy_for(self, team: str | None, service: str | None) -> Policy | None:
        """The policy naming the service, else the team's, else the default (neither)."""
        for policy in self.escalation:
            if service and service in policy.services:
                return policy
        for policy in self.escalation:
            if team and policy.team == team and not policy.services:
                return policy
        return next((p for p in self.escalation if p.team is None and not p.services), None)

    def responder(self, user: str, at: datetime) -> str:
        """Who answers for `user` at `at` (the first override in force, else the user)."""
        for override in self.overrides:
            if override.user == user and override.start <= at < override.end:
                return override.by
        return user
