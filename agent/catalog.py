"""Service resolution against the catalog: structured fields first, then clear text mentions."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal

# Label keys whose values name a service directly, and keys whose values embed one (pod-7d9f…).
_DIRECT_KEYS = ("service", "app", "application", "app_kubernetes_io_name", "component",
                "deployment", "job", "container", "program", "namespace")
_EMBED_KEYS = ("pod", "instance", "host", "hostname", "node", "statefulset", "daemonset")


def _names(config: OrgConfig) -> dict[str, str]:
    """Every lower-cased name or alias that identifies a catalog service → service name."""
    names: dict[str, str] = {}
    for name, entry in config.services.items():
        names[name.lower()] = name
        for alias in entry.aliases:
            names[alias.lower()] = name
    return names


def _embedded(value: str, names: dict[str, str]) -> str | None:
    """A catalog name that `value` starts with, followed by a separator (checkout-api-7d9f-x)."""
    low = value.lower()
    for key in sorted(names, key=len, reverse=True):
        if low == key or re.match(re.escape(key) + r"[-_.:0-9]", low):
            return names[key]
    return None


def structured_service(signal: Signal, config: OrgConfig) -> str | None:
    """The catalog service named by the signal's structured fields, if any."""
    names = _names(config)
    candidates = [signal.service] + [signal.labels.get(k) for k in _DIRECT_KEYS]
    for value in candidates:
        if value and value.lower() in names:
            return names[value.lower()]
    for value in [signal.host] + [signal.labels.get(k) for k in _EMBED_KEYS]:
        if value and (found := _embedded(value, names)):
            return found
    return None


@lru_cache(maxsize=64)
def _text_patterns(items: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str, int]]:
    """Word-boundary patterns for names and aliases (rank 0) and unambiguous stems (rank 1)."""
    keys: dict[str, set[str]] = {}
    ranks: dict[str, int] = {}
    for key, service in items:
        keys.setdefault(key, set()).add(service)
        ranks[key] = 0
        stem = re.split(r"[-_]", key)[0]
        if len(stem) >= 3 and stem != key:
            keys.setdefault(stem, set()).add(service)
            ranks.setdefault(stem, 1)
    patterns = []
    for key, services in sorted(keys.items(), key=lambda kv: -len(kv[0])):
        if len(services) == 1:
            spaced = re.escape(key).replace(r"\-", r"[-\s]?").replace("_", r"[_\s]?")
            pattern = re.compile(rf"(?<![\w-]){spaced}(?![\w-])", re.I)
            patterns.append((pattern, next(iter(services)), ranks[key]))
    return patterns


def text_service(text: str, config: OrgConfig) -> str | None:
    """The catalog service a text clearly refers to ("checkout is down", "the VPN").

    Full names and aliases beat name stems; among equals the first mention wins.
    """
    if not text or not config.services:
        return None
    hits: list[tuple[int, int, str]] = []
    for pattern, service, rank in _text_patterns(tuple(sorted(_names(config).items()))):
        if found := pattern.search(text):
            hits.append((rank, found.start(), service))
    return min(hits)[2] if hits else None
