"""The normalized `Signal` every input format is parsed into."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.kernel.taxonomy import Source, Status


class MetricSample(BaseModel):
    """A raw metric sample: the metric name and its value (thresholds come from config)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    value: float


class Signal(BaseModel):
    """One normalized signal: what a parser extracts, plus the raw payload exactly as received."""

    model_config = ConfigDict(extra="forbid")

    signal_id: str = Field(description="Unique id of this delivery of the signal")
    source: Source
    fingerprint: str = Field(description="Dedup identity: Alertmanager fingerprint, "
                             "PagerDuty dedup_key, or a canonical hash of the labels")
    status: Status = "firing"
    title: str = ""
    text: str = Field("", description="All human-readable text (title, summary, description, body)")
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    severity: str | None = Field(None, description="Sender severity, lower-cased, as sent")
    service: str | None = None
    host: str | None = None
    reporter: str | None = None
    metric: MetricSample | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timestamp: datetime = Field(description="Signal time: startsAt/timestamp, else received_at")
    received_at: datetime
    dedup_key: str | None = None
    action: str | None = Field(None, description="PagerDuty event_action when present")
    raw: Any = Field(None, description="This signal's payload exactly as received")

    def label_view(self) -> dict[str, str]:
        """Labels plus derived keys (service, source, severity, host) for matchers and routes."""
        view = dict(self.labels)
        for key, value in (("service", self.service), ("source", self.source),
                           ("severity", self.severity), ("host", self.host)):
            if value and key not in view:
                view[key] = value
        if self.metric and "__name__" not in view:
            view["__name__"] = self.metric.name
        return view
