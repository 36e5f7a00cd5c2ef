"""The CONTRACTS §2 decision object: what `triage run --json`, the API and the eval all emit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer

from agent.kernel.taxonomy import EventType, Kind, Level, Priority, Severity, Source

ActionStatus = Literal[
    "proposed", "awaiting_approval", "approved", "executed", "dry_run", "refused", "failed"
]


class Noise(BaseModel):
    """Noise-reduction outcome: duplicate link, suppression reason and group."""

    duplicate_of: str | None = None
    suppressed_by: str | None = None
    group_id: str = ""
    flapping: bool = False
    notify: bool = True


class DocRef(BaseModel):
    """A retrieved knowledge document (best chunk per document) and its fused score."""

    id: str
    title: str
    score: float = 0.0


class ActionRef(BaseModel):
    """A remediation or diagnostic action proposed or taken for the signal."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: ActionStatus = "proposed"
    risk: str | None = None
    detail: str | None = None
    verification: Literal["verified", "not_verified", "unknown"] | None = None  # follow-up check


class Decision(BaseModel):
    """One triage decision for one signal (CONTRACTS §2, fields may be added, never renamed)."""

    signal_id: str
    source: Source
    fingerprint: str
    received_at: datetime
    kind: Kind
    event_type: EventType
    security: bool = False
    impact: Level
    urgency: Level
    priority: Priority
    severity: Severity
    service: str | None = None
    team: str | None = None
    noise: Noise = Field(default_factory=Noise)
    runbooks: list[DocRef] = Field(default_factory=list)
    postmortems: list[DocRef] = Field(default_factory=list)
    actions: list[ActionRef] = Field(default_factory=list)
    confidence: float = 0.0
    rationale: str = ""
    citations: list[str] = Field(default_factory=list)
    reasoner: Literal["offline", "llm"] = "offline"
    llm_tokens: int = 0
    # additions beyond the contract
    title: str = ""
    status: str = "firing"
    llm_downgrades_blocked: list[str] = Field(default_factory=list)  # the verdict floor held
    timestamp: datetime | None = None
    runbook_url: str | None = None  # the sender's runbook link (annotation), checked http(s)

    @field_serializer("received_at", "timestamp")
    def _rfc3339(self, value: datetime | None) -> str | None:
        """Serialize datetimes as RFC 3339 with a Z suffix for UTC."""
        if value is None:
            return None
        return value.isoformat().replace("+00:00", "Z")
