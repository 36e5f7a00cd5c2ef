"""Operations KPIs from the stored record: MTTA, MTTR, time to engage, escalations, noise.

Everything is computed from signal-stream times recorded in the database (incident timeline,
decision times), so a replay reports the same figures as the live run. Rates are fractions of
raw signals (dedup, suppression, noise) or of incidents (verified fixes); the noise ratio is
raw signals per notification.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from agent.incidents.model import Incident
from agent.incidents.store import IncidentStore
from agent.kernel.decision import Decision
from agent.kernel.packing import decision_from_row


@dataclass
class Kpis:
    """KPIs over one slice (all, one team, one service)."""

    signals: int = 0
    notifications: int = 0
    duplicates: int = 0
    suppressed: int = 0
    alerts: int = 0  # firing alert/incident signals that are not noise
    auto_resolved: int = 0  # of those, how many got a resolve notification
    incidents: int = 0
    acknowledged: int = 0
    resolved: int = 0
    escalations: int = 0
    verified: int = 0
    checked: int = 0  # incidents with a settled remediation check
    tta: list[float] = field(default_factory=list)  # minutes to acknowledge
    ttr: list[float] = field(default_factory=list)  # minutes to resolve
    tte: list[float] = field(default_factory=list)  # minutes to engage

    @staticmethod
    def _avg(values: list[float]) -> float | None:
        return round(mean(values), 2) if values else None

    def as_dict(self) -> dict[str, float | int | None]:
        """Counts, means (minutes) and rates as one flat dict."""
        def rate(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None
        return {
            "signals": self.signals, "notifications": self.notifications,
            "noise_ratio": round(self.signals / self.notifications, 2) if self.notifications
            else None, "dedup_rate": rate(self.duplicates, self.signals),
            "suppression_rate": rate(self.suppressed, self.signals),
            "auto_resolution_rate": rate(self.auto_resolved, self.alerts),
            "incidents": self.incidents, "acknowledged": self.acknowledged,
            "resolved": self.resolved, "escalations": self.escalations,
            "mtta_min": self._avg(self.tta), "mttr_min": self._avg(self.ttr),
            "time_to_engage_min": self._avg(self.tte),
            "verified_fix_rate": rate(self.verified, self.checked),
        }


def _minutes(a: datetime, b: datetime | None) -> float | None:
    return None if b is None else (b - a).total_seconds() / 60


def _notified(d: Decision) -> bool:
    n = d.noise
    return d.kind in ("alert", "incident") and not n.duplicate_of and not n.suppressed_by \
        and n.notify and d.status != "resolved"


def load_decisions(conn: sqlite3.Connection) -> list[Decision]:
    """Every stored decision, in signal-time order."""
    rows = conn.execute("SELECT body FROM decisions ORDER BY ts, signal_id").fetchall()
    return [decision_from_row(r[0]) for r in rows]


def add_signals(k: Kpis, decisions: list[Decision]) -> None:
    """Count raw signals, notifications, noise and auto-resolved alerts into `k`."""
    resolved = {d.fingerprint for d in decisions if d.status == "resolved"}
    for d in decisions:
        k.signals += 1
        k.duplicates += bool(d.noise.duplicate_of)
        k.suppressed += bool(d.noise.suppressed_by)
        if _notified(d):
            k.notifications += 1
            k.alerts += 1
            k.auto_resolved += d.fingerprint in resolved


def add_incident(k: Kpis, incident: Incident) -> None:
    """Count one incident's lifecycle into `k`."""
    k.incidents += 1
    k.escalations += incident.escalations
    for values, when in ((k.tta, incident.acknowledged_at), (k.ttr, incident.resolved_at),
                         (k.tte, incident.engaged_at)):
        minutes = _minutes(incident.opened_at, when)
        if minutes is not None:
            values.append(minutes)
    k.acknowledged += incident.acknowledged_at is not None
    k.resolved += incident.resolved_at is not None
    if incident.verification is not None:
        k.checked += 1
        k.verified += incident.verification == "verified"


@dataclass
class Report:
    """KPIs overall, per team and per service, plus per-day series for plots."""

    overall: Kpis
    teams: dict[str, Kpis]
    services: dict[str, Kpis]
    days: dict[str, Kpis]
    incidents: list[Incident]


def compute(conn: sqlite3.Connection, store: IncidentStore) -> Report:
    """The report over everything stored in this database."""
    decisions = load_decisions(conn)
    incidents = sorted(store.list(limit=1_000_000), key=lambda i: i.opened_at)
    overall = Kpis()
    teams: dict[str, Kpis] = defaultdict(Kpis)
    services: dict[str, Kpis] = defaultdict(Kpis)
    days: dict[str, Kpis] = defaultdict(Kpis)
    add_signals(overall, decisions)
    for key, slot in ((lambda d: d.team or "(none)", teams),
                      (lambda d: d.service or "(none)", services),
                      (lambda d: (d.timestamp or d.received_at).strftime("%Y-%m-%d"), days)):
        grouped: dict[str, list[Decision]] = defaultdict(list)
        for d in decisions:
            grouped[key(d)].append(d)
        for name, items in grouped.items():
            add_signals(slot[name], items)
    for incident in incidents:
        add_incident(overall, incident)
        add_incident(teams[incident.team or "(none)"], incident)
        add_incident(services[incident.service or "(none)"], incident)
        add_incident(days[incident.opened_at.strftime("%Y-%m-%d")], incident)
    return Report(overall, dict(teams), dict(services), dict(sorted(days.items())), incidents)
