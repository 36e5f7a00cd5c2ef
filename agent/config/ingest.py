"""The `ingest` section: how much `triage serve` accepts before it sheds load (503)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IngestSection(BaseModel):
    """Load shedding and caps of the HTTP ack path (per `triage serve` process)."""

    model_config = ConfigDict(extra="forbid")

    # undecided signals held before new bodies get 503 + Retry-After
    max_backlog: int = Field(20_000, ge=1)
    # extra room beyond max_backlog for firing critical signals of a new group (incident class)
    urgent_headroom: int = Field(2_000, ge=0)
    # signals one request body may carry (413 beyond; Alertmanager groups are far smaller)
    max_alerts_per_body: int = Field(10_000, ge=1)
    # Retry-After of a 503, in seconds (senders retry then)
    retry_after_s: int = Field(5, ge=1, le=3600)
    # payloads stored by one inbox transaction (one fsync for all of them)
    group_commit_max_batch: int = Field(1_000, ge=1, le=100_000)
