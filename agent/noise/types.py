"""The outcome of the noise gate for one signal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NoiseOutcome:
    """What the noise stage found: duplicate link, suppression, group and anomalies."""

    group_id: str
    duplicate_of: str | None = None
    suppressed_by: str | None = None  # e.g. "maintenance:<reason>", "silence:<id>", "inhibit:..."
    maintenance: bool = False  # inside a maintenance window → event/maintenance
    flapping: bool = False
    notify: bool = True  # whether this signal should produce a notification
    anomaly: str | None = None  # dynamic-threshold finding for metric samples, if any
