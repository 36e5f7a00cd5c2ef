"""The organisation YAML (CONTRACTS §7): catalog, routes, teams, windows, inhibition, thresholds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from agent.config.auth import AuthSection
from agent.config.escalation import IncidentsSection
from agent.config.ingest import IngestSection
from agent.config.sections import KnowledgeSection, LLMSection, NoiseSection, ToolsSection
from agent.config.targets import TargetsSection
from agent.config.tickets import TicketsSection
from agent.kernel.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceEntry(_Strict):
    """A catalog service: owning team and the facts that drive impact."""

    team: str | None = None
    tier: int = Field(2, ge=1, le=3)
    customer_facing: bool = False
    description: str = ""
    aliases: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)  # services this one needs (correlation)


def _check_regexes(values: dict[str, str]) -> dict[str, str]:
    for key, pattern in values.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"match_re.{key}: invalid regular expression: {exc}") from exc
    return values


class Route(_Strict):
    """An Alertmanager-style route: equality and fully anchored regex matchers → team."""

    match: dict[str, str] = Field(default_factory=dict)
    match_re: dict[str, str] = Field(default_factory=dict)
    team: str

    _re = field_validator("match_re")(_check_regexes)

    def matches(self, labels: dict[str, str]) -> bool:
        """True when every matcher holds on `labels` (missing labels compare as empty)."""
        if any(labels.get(k, "") != v for k, v in self.match.items()):
            return False
        return all(re.fullmatch(p, labels.get(k, "")) for k, p in self.match_re.items())


class Team(_Strict):
    """A team: where to notify and who may approve risky actions."""

    slack_channel: str | None = None
    approvers: list[str] = Field(default_factory=list)


class MaintenanceWindow(_Strict):
    """A declared maintenance window: matchers plus [start, end) in RFC 3339."""

    match: dict[str, str] = Field(default_factory=dict)
    match_re: dict[str, str] = Field(default_factory=dict)
    start: datetime
    end: datetime
    reason: str = ""

    _re = field_validator("match_re")(_check_regexes)

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a timezone (RFC 3339, e.g. 2026-12-01T01:00:00Z)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class InhibitRule(_Strict):
    """An Alertmanager inhibit rule: source/target matchers (`name="v"`, `=~`, `!=`) and equal."""

    source_matchers: list[str] = Field(default_factory=list)
    target_matchers: list[str] = Field(default_factory=list)
    equal: list[str] = Field(default_factory=list)

    @field_validator("source_matchers", "target_matchers")
    @classmethod
    def _valid(cls, values: list[str]) -> list[str]:
        from agent.kernel.matchers import parse_matcher

        for text in values:
            parse_matcher(text)
        return values


class Grouping(_Strict):
    """Alertmanager grouping: labels to group by and the timing knobs."""

    group_by: list[str] = Field(default_factory=lambda: ["alertname", "service"])
    group_wait: Duration = timedelta(seconds=30)
    group_interval: Duration = timedelta(minutes=5)
    repeat_interval: Duration = timedelta(hours=4)


class Threshold(_Strict):
    """Warning and critical levels for one metric (a sample at or above critical is a breach)."""

    warning: float | None = None
    critical: float | None = None
    direction: str = Field("above", pattern="^(above|below)$")

    @model_validator(mode="after")
    def _ordered(self) -> Threshold:
        if self.warning is None and self.critical is None:
            raise ValueError("needs warning or critical")
        if self.warning is not None and self.critical is not None:
            bad = (self.warning > self.critical if self.direction == "above"
                   else self.warning < self.critical)
            if bad:
                raise ValueError("warning must be less severe than critical")
        return self


class OrgConfig(_Strict):
    """The whole YAML configuration; every key optional, unknown keys rejected by name."""

    services: dict[str, ServiceEntry] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    teams: dict[str, Team] = Field(default_factory=dict)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)
    grouping: Grouping = Field(default_factory=Grouping)
    security_team: str | None = None
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    noise: NoiseSection = Field(default_factory=NoiseSection)
    llm: LLMSection = Field(default_factory=LLMSection)
    knowledge: KnowledgeSection = Field(default_factory=KnowledgeSection)
    tools: ToolsSection = Field(default_factory=ToolsSection)
    tickets: TicketsSection = Field(default_factory=TicketsSection)
    incidents: IncidentsSection = Field(default_factory=IncidentsSection)
    targets: TargetsSection = Field(default_factory=TargetsSection)
    auth: AuthSection = Field(default_factory=AuthSection)
    ingest: IngestSection = Field(default_factory=IngestSection)

    @model_validator(mode="before")
    @classmethod
    def _none_is_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data

    def service_team(self, service: str | None) -> str | None:
        """The catalog team of `service`, or None when the service is unknown."""
        entry = self.services.get(service or "")
        return entry.team if entry else None
