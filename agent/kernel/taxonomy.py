"""The CONTRACTS §1 taxonomy: kinds, event types, impact, urgency and the ITIL priority matrix."""

from __future__ import annotations

from typing import Literal

Kind = Literal["event", "alert", "incident", "request"]
EventType = Literal["informational", "warning", "exception", "maintenance"]
Level = Literal["high", "medium", "low"]
Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Severity = Literal["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]
Source = Literal[
    "alertmanager", "grafana", "pagerduty", "generic", "metric", "log", "ticket", "slack"
]
Status = Literal["firing", "resolved"]

KINDS: tuple[Kind, ...] = ("event", "alert", "incident", "request")
EVENT_TYPES: tuple[EventType, ...] = ("informational", "warning", "exception", "maintenance")
PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4", "P5")
SOURCES: tuple[Source, ...] = (
    "alertmanager", "grafana", "pagerduty", "generic", "metric", "log", "ticket", "slack",
)

_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


def priority_for(impact: Level, urgency: Level) -> Priority:
    """Map impact × urgency to a priority with the ITIL matrix (high/high → P1 … low/low → P5)."""
    return PRIORITIES[_RANK[impact] + _RANK[urgency]]


def severity_for(priority: Priority) -> Severity:
    """Map P1…P5 to SEV1…SEV5 as CONTRACTS §1 requires."""
    return f"SEV{priority[1]}"  # type: ignore[return-value]


def sender_event_type(severity: str | None) -> EventType | None:
    """Translate a sender's severity word to the event_type it implies, or None when unknown."""
    if not severity:
        return None
    s = severity.strip().lower()
    if s in {"critical", "crit", "error", "err", "high", "page", "fatal", "emergency", "alert",
             "disaster", "major", "p1", "p2", "sev1", "sev2"}:
        return "exception"
    if s in {"warning", "warn", "medium", "minor", "average", "p3", "sev3"}:
        return "warning"
    if s in {"info", "informational", "information", "none", "low", "notice", "debug", "ok",
             "p4", "p5", "sev4", "sev5"}:
        return "informational"
    return None
