"""The outcome of the noise gate for one signal, and the group and suppression views it exposes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass
class TimelineEntry:
    """One line of a group's timeline: when, which signal, what happened."""

    ts: datetime
    signal_id: str
    entry: str


@dataclass
class GroupInfo:
    """A group of correlated signals: its kind (max seen), state, members and timeline."""

    group_id: str
    group_key: str
    service: str | None
    kind: str  # event < alert < incident (raised by after_decision); request never escalates
    priority: str | None
    status: str  # "open" while any alert in it fires (or it has no alerts), else "resolved"
    first_at: datetime
    last_at: datetime
    signal_ids: list[str] = field(default_factory=list)
    firing: list[str] = field(default_factory=list)  # fingerprints currently firing
    aliases: list[str] = field(default_factory=list)  # older ids merged into this group
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass
class Suppression:
    """A runtime maintenance window or silence: matchers over [start, end), until expired."""

    id: str
    kind: str  # "maintenance" | "silence"
    matchers: list[str]
    start: datetime
    end: datetime
    reason: str = ""
    created_by: str = ""
    expired_at: datetime | None = None

    def active_at(self, when: datetime) -> bool:
        """True when `when` lies in [start, end) and before any expiry."""
        end = min(self.end, self.expired_at) if self.expired_at else self.end
        return self.start <= when < end
