"""Deterministic keys the noise gate works with: times, dedup keys, group keys, series keys."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from agent.kernel.durations import parse_duration
from agent.kernel.signal import Signal

# Sources whose signals have a firing/resolved lifecycle (tracked for inhibition and flapping).
ALERT_SOURCES = frozenset({"alertmanager", "grafana", "pagerduty"})


def epoch(value: datetime) -> float:
    """Seconds since the epoch; naive datetimes are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def from_epoch(value: float) -> datetime:
    """The aware UTC datetime for epoch seconds."""
    return datetime.fromtimestamp(value, UTC)


def seconds(duration: str | timedelta) -> float:
    """A config duration ("5m", timedelta) in seconds."""
    return parse_duration(duration).total_seconds()


def anchor_time(signal: Signal) -> float:
    """The start time that identifies an occurrence: starts_at, else the signal timestamp."""
    return epoch(signal.starts_at or signal.timestamp)


def event_time(signal: Signal) -> float:
    """When this status was true: a resolve's ends_at, else the signal timestamp."""
    if signal.status == "resolved" and signal.ends_at is not None:
        return epoch(signal.ends_at)
    return epoch(signal.timestamp)


def dedup_key(signal: Signal) -> str:
    """CONTRACTS §1 duplicate identity: fingerprint (or dedup_key), start time and status.

    A signal without a start of its own (a ticket or event with no timestamp) is stamped with
    its receipt time, which differs on every redelivery; its payload hash stands in for it.
    """
    identity = signal.dedup_key or signal.fingerprint
    if signal.starts_at is None and signal.timestamp == signal.received_at and signal.raw:
        blob = json.dumps(signal.raw, sort_keys=True, default=str)
        return f"{identity}|raw:{hashlib.sha256(blob.encode()).hexdigest()[:16]}|{signal.status}"
    # The start time leads, so keys written close in time sit close in the dedup index.
    return f"{anchor_time(signal):.3f}|{identity}|{signal.status}"


def is_tracked_alert(signal: Signal) -> bool:
    """True for signals with a firing/resolved lifecycle (alert sources, or any resolve)."""
    return (signal.source in ALERT_SOURCES or signal.status == "resolved"
            or "alertname" in signal.labels)


def group_key(signal: Signal, labels: dict[str, str], group_by: list[str]) -> tuple[str, bool]:
    """The group key and whether the signal carries its own key (a group_by label besides service).

    Keyless signals with a service (tickets, chat, generic events) correlate by service; keyless
    signals without one group only with their own fingerprint. Telemetry (metric samples, log
    lines) is keyed by its series or log template so that a steady stream of samples does not
    chain a whole day of a service into one group.
    """
    if signal.metric is not None:  # telemetry never glues a service's groups together
        return f"metric={signal.metric.name},service={signal.service or ''}", True
    if signal.source == "log":
        return f"log={signal.fingerprint},service={signal.service or ''}", True
    names = sorted(labels) if "..." in group_by else group_by
    for n in names:
        if n != "service" and labels.get(n):
            return ",".join([f"{n}={labels.get(n, '')}" for n in names]), True
    if signal.service:
        return f"service={signal.service}", False
    return f"fp={signal.dedup_key or signal.fingerprint}", False


TELEMETRY_KEYS = ("metric=", "log=")


def correlates(gkey: str) -> bool:
    """Whether members of this group key take part in service-wide correlation."""
    return not gkey.startswith(TELEMETRY_KEYS)


def group_id_for(key: str, anchor: float) -> str:
    """Deterministic group id: a hash of the group key and the group's first start time."""
    digest = hashlib.sha256(f"{key}|{anchor:.3f}".encode()).hexdigest()
    return f"g-{digest[:16]}"


def series_key(signal: Signal) -> str:
    """A metric series identity: the metric name and its sorted labels."""
    assert signal.metric is not None
    parts = ",".join(f"{k}={v}" for k, v in sorted(signal.labels.items()) if k != "__name__")
    return f"{signal.metric.name}{{{parts}}}"
