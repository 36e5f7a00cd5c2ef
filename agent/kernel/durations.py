"""Prometheus-style durations ("30s", "5m", "4h", "1h30m") as used in Alertmanager configs."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Parse a duration such as "5m" or "1h30m" (bare numbers are seconds); raise ValueError."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("duration must not be negative")
        return timedelta(seconds=value)
    text = str(value).strip()
    if not text or _PART.sub("", text):
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 4h, 1h30m)")
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in _PART.findall(text)))
