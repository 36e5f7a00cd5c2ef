"""Correlated context (CONTRACTS §1 "Correlation"): what else concerns this signal, and when.

A decision is correlated with a signal when it falls inside the window *around* the signal's
active period (from `window` before its start to `window` after its end, or after its start
while it is still firing) and it concerns the same service, a service the catalog says this one
depends on or backs (`depends_on`), the same noise group, or, for security signals, the same
user, account or host.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal

# Label keys that name the user, account or host a signal is about.
ENTITY_KEYS = ("user", "username", "user_name", "account", "account_id", "principal", "email",
               "src_user", "target_user", "actor", "login", "host", "hostname", "instance",
               "node", "src_ip", "source_ip", "client_ip", "ip", "device", "computer")
_IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_NAMED = re.compile(r"\b(?:user|account|login|host)[= :]+['\"]?([A-Za-z0-9][\w.@-]{2,})", re.I)
_GENERIC = {"the", "user", "users", "invalid", "unknown", "root", "admin", "from", "host",
            "account", "port", "localhost"}


class DecisionSource(Protocol):
    """The store reads correlation needs (agent.store.signals.SignalStore provides them)."""

    def correlated_decisions(self, services: list[str], group_id: str | None, since: datetime,
                             until: datetime, limit: int = 50) -> list[Decision]:
        """Decisions of these services or this group with a time in [since, until]."""
        ...

    def security_decisions(self, since: datetime, until: datetime,
                           limit: int = 100) -> list[Decision]:
        """Security decisions with a time in [since, until]."""
        ...

    def get_signal(self, signal_id: str) -> Signal | None:
        """The stored signal, or None."""
        ...


def neighbours(service: str | None, config: OrgConfig) -> list[str]:
    """The service, the services it depends on, and the services that depend on it."""
    if not service:
        return []
    found = [service]
    entry = config.services.get(service)
    if entry is not None:
        found += [d for d in entry.depends_on if d not in found]
    found += [name for name, other in config.services.items()
              if service in other.depends_on and name not in found]
    return found


def active_period(signal: Signal, window: timedelta) -> tuple[datetime, datetime]:
    """[start - window, end + window]; a signal still firing ends at its start."""
    start = signal.starts_at or signal.timestamp
    start = min(start, signal.timestamp)
    end = max(signal.timestamp, signal.ends_at or signal.timestamp)
    return start - window, end + window


def entities(signal: Signal) -> set[str]:
    """The users, accounts, hosts and addresses a signal names (lower-cased)."""
    found: set[str] = set()
    labels = signal.label_view()
    for key in ENTITY_KEYS:
        if value := labels.get(key):
            found.add(value.lower())
            found.add(value.split(":")[0].lower())  # instance "host:9100" → "host"
    for value in (signal.host, signal.reporter):
        if value:
            found.add(value.lower())
    text = f"{signal.title}\n{signal.text}"
    found.update(m.group(0).lower() for m in _IP.finditer(text))
    found.update(m.group(0).lower() for m in _EMAIL.finditer(text))
    found.update(m.group(1).lower().rstrip(".") for m in _NAMED.finditer(text))
    return {e for e in found if len(e) >= 3 and e not in _GENERIC}


def _mentions(text: str, names: set[str]) -> bool:
    """True when `text` names one of `names` as a whole word."""
    low = text.lower()
    return any(re.search(rf"(?<![\w.@-]){re.escape(n)}(?![\w@-])", low) for n in names)


def shares_entity(signal: Signal, other: Signal) -> bool:
    """Same user, account or host: a shared entity, or one named in the other's text."""
    mine, theirs = entities(signal), entities(other)
    if mine & theirs:
        return True
    return (_mentions(f"{other.title}\n{other.text}", mine)
            or _mentions(f"{signal.title}\n{signal.text}", theirs))


def correlated(store: DecisionSource, config: OrgConfig, signal: Signal, group_id: str | None,
               window: timedelta) -> list[Decision]:
    """Decisions correlated with `signal` (itself excluded), oldest first."""
    since, until = active_period(signal, window)
    found = {d.signal_id: d for d in store.correlated_decisions(
        neighbours(signal.service, config), group_id, since, until)}
    for d in store.security_decisions(since, until):
        if d.signal_id in found or d.signal_id == signal.signal_id:
            continue
        other = store.get_signal(d.signal_id)
        if other is not None and shares_entity(signal, other):
            found[d.signal_id] = d
    found.pop(signal.signal_id, None)
    return sorted(found.values(), key=lambda d: (d.timestamp or d.received_at, d.signal_id))
