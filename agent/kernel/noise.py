"""Noise views surfaces show: a group of correlated signals, its timeline, runtime suppressions.

Plain data shared by the noise gate (core) and the surfaces that list or create them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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


class NoiseAdmin(Protocol):
    """Noise administration surfaces may do: runtime windows and silences, group views.

    The noise gate (agent.noise.gate.NoiseGate) implements it; surfaces get one from the
    facade (`Pipeline.noise`) or the composition root (`agent.wiring.noise_admin`).
    """

    def add_window(self, matchers: list[str] | dict[str, str], start: datetime, end: datetime,
                   reason: str = "", created_by: str = "") -> Suppression:
        """Declare a maintenance window at run time."""
        ...

    def add_silence(self, matchers: list[str] | dict[str, str], start: datetime,
                    end: datetime, comment: str = "", created_by: str = "") -> Suppression:
        """Add an Alertmanager-style silence over [start, end)."""
        ...

    def list_windows(self) -> list[Suppression]:
        """Runtime maintenance windows."""
        ...

    def list_silences(self) -> list[Suppression]:
        """Silences, expired ones included."""
        ...

    def expire(self, suppression_id: str, at: datetime) -> bool:
        """End a runtime window or silence at `at`; False when the id is unknown."""
        ...

    def group(self, group_id: str) -> GroupInfo | None:
        """A group of correlated signals, or None."""
        ...

    def open_groups(self, kind: str | None = None) -> list[GroupInfo]:
        """Groups still open, newest first."""
        ...
