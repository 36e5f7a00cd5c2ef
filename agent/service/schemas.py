"""Request and response bodies of the HTTP API (pydantic models at the boundary)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.kernel.decision import Decision


class AcceptedOut(BaseModel):
    """202: the payload is durably stored; these are its signal ids."""

    signal_ids: list[str]
    redelivery: bool = False


class ErrorOut(BaseModel):
    """4xx/5xx: a one-line error and the field it concerns."""

    error: str
    field: str | None = None


class PendingOut(BaseModel):
    """A stored signal without a decision yet (or whose decision failed)."""

    signal_id: str
    state: Literal["pending", "failed"]
    error: str | None = None
    attempts: int = 0


class TimelineOut(BaseModel):
    """One entry of a group's timeline."""

    ts: datetime
    signal_id: str
    entry: str


class IncidentOut(BaseModel):
    """An open incident group and the decisions of its signals, oldest first."""

    group_id: str
    service: str | None
    kind: str
    priority: str | None
    status: str
    first_at: datetime
    last_at: datetime
    firing: list[str]
    signal_ids: list[str]
    timeline: list[TimelineOut]
    signals: list[Decision]
    # additions: the incident record of this group (agent.incidents), when one was opened
    incident_id: str | None = None
    state: str | None = None
    severity: str | None = None
    team: str | None = None
    title: str | None = None
    commander: str | None = None
    acknowledged_at: datetime | None = None
    escalations: int = 0
    verification: str | None = None


class IncidentsOut(BaseModel):
    """GET /v1/incidents."""

    incidents: list[IncidentOut]


class MaintenanceIn(BaseModel):
    """A runtime maintenance window: matchers plus [start, end) or a duration from start."""

    model_config = ConfigDict(extra="forbid")

    matchers: list[str] | dict[str, str] = Field(min_length=1)
    start: datetime | None = None  # default: now
    end: datetime | None = None
    duration: str | None = None  # e.g. "2h" when no end is given
    reason: str = ""
    created_by: str = Field("api", description="ignored: the actor is the credential name")


class SuppressionOut(BaseModel):
    """A runtime maintenance window as stored."""

    id: str
    kind: str
    matchers: list[str]
    start: datetime
    end: datetime
    reason: str
    created_by: str
    expired_at: datetime | None = None


class ResolveIn(BaseModel):
    """Resolve the incident a signal belongs to; with `fix`, also quarantine a learning."""

    model_config = ConfigDict(extra="forbid")

    fix: str | None = None
    runbook: str | None = None
    links: list[str] = Field(default_factory=list)
    author: str = Field("api", description="ignored: the actor is the credential name")
    note: str | None = None


class LearningOut(BaseModel):
    """The quarantined learning written on resolve (reviewed before retrieval uses it)."""

    id: str
    status: str
    flags: list[str]


class ResolveOut(BaseModel):
    """POST /v1/signals/{id}/resolve."""

    signal_id: str
    group_id: str
    resolved: bool
    learning: LearningOut | None = None
    learning_error: str | None = None


class DeadLetterOut(BaseModel):
    """A refused body kept for inspection (redacted, truncated)."""

    id: int
    received_at: str
    route: str
    status: int
    field: str | None
    error: str
    size: int
    body: str


def _inline(value: Any, defs: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in value.items() if k != "$defs"}
    if isinstance(value, list):
        return [_inline(v, defs) for v in value]
    return value


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its raw body: the JSON body it takes, described
    by the parser's pydantic model (its schema with every reference inlined)."""
    return {"requestBody": {"required": True, "description": description, "content": {
        "application/json": {"schema": _inline(schema, schema.get("$defs", {}))}}}}
