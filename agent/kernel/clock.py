"""The wall clock, in one place: receive times, audit rows and runtime windows that start "now".

Decisions never read it (they take time from the signal); components take a clock argument
defaulting to this function so tests and replays inject their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
