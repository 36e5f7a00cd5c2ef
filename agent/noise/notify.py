"""Alertmanager's notification rules, applied at the signal's own time."""

from __future__ import annotations

from dataclasses import dataclass

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal
from agent.noise.flapping import FlapState
from agent.noise.records import GroupRow


@dataclass
class NotifyFacts:
    """What the gate found about one fresh signal."""

    signal: Signal
    new_group: bool
    suppressed_by: str | None
    transition: str  # new/changed/cleared/same/stale ("" for signals without a lifecycle)
    flap: FlapState | None
    anomaly: str | None
    at: float


def static_breach(signal: Signal, config: OrgConfig) -> bool:
    """True when a metric sample is at or beyond its configured critical threshold."""
    if signal.metric is None:
        return False
    rule = config.thresholds.get(signal.metric.name)
    if rule is None or rule.critical is None:
        return False
    value = signal.metric.value
    return value >= rule.critical if rule.direction == "above" else value <= rule.critical


def notify_rule(f: NotifyFacts, group: GroupRow | None, config: OrgConfig,
                group_interval: float, repeat_interval: float) -> tuple[bool, str]:
    """(notify, why): new groups, new alerts per group_interval, resolves, repeat_interval.

    Suppressed signals and flapping alerts (after one notice) stay quiet; raw telemetry (metric
    samples, log lines) notifies only on a critical breach or a baseline anomaly.
    """
    if f.suppressed_by:
        return False, "suppressed"
    if f.flap and f.flap.started:
        return True, f"flapping: {f.flap.changes} state changes within the flap window"
    if f.flap and f.flap.flapping:
        return False, "flapping (already notified)"
    if f.transition == "stale":
        return False, "stale: a later state of this alert was already seen"
    last = group.last_notify if group else None
    due = last is None or f.at - last >= group_interval
    if f.signal.status == "resolved":
        if f.transition == "cleared":
            return False, "resolve of a suppressed alert (state cleared, nothing to notify)"
        if f.transition != "changed":
            return False, "resolve of an alert not seen firing"
        if group is not None and group.n_firing == 0:
            return True, "group resolved"
        return (True, "resolved") if due else (False, "resolve batched (within group_interval)")
    if f.signal.metric is not None or f.signal.source == "log":
        if static_breach(f.signal, config):
            return True, "critical threshold breached"
        if f.anomaly:
            return True, "anomaly against the baseline"
        return False, "telemetry: recorded as an event"
    if f.new_group:
        return True, "new group"
    if f.transition == "same":
        if last is None or f.at - last >= repeat_interval:
            return True, "repeat_interval elapsed"
        return False, "already notified (within repeat_interval)"
    if due:
        return True, "new signal in group"
    return False, "batched into the group's notification (within group_interval)"
