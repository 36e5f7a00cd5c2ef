"""The outcome of the noise gate for one signal, and the group and suppression views it exposes."""

from __future__ import annotations

from dataclasses import dataclass

from agent.kernel.noise import GroupInfo, Suppression, TimelineEntry

__all__ = ["GroupInfo", "NoiseOutcome", "Suppression", "TimelineEntry"]


@dataclass
class NoiseOutcome:
    """What the noise stage found: duplicate link, suppression, group and anomalies."""

    group_id: str
    duplicate_of: str | None = None
    suppressed_by: str | None = None  # e.g. "maintenance:<reason>", "silence:<id>", "inhibited:..."
    maintenance: bool = False  # inside a maintenance window → event/maintenance
    flapping: bool = False
    notify: bool = True  # whether this signal should produce a notification
    anomaly: str | None = None  # dynamic-threshold finding for metric samples, if any
    # additions (noise stage)
    notify_reason: str = ""  # why notify is True/False (Alertmanager-style rule that applied)
    correlated: bool = False  # joined a group through another source of the same service
    new_group: bool = False  # this signal opened its group
