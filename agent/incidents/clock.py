"""Clocks for incident response: time follows the signal stream, never the wall clock alone.

`StreamClock.now()` is the latest signal time observed (or explicitly advanced to), and, when a
base clock is injected (the live service), never earlier than that clock. A replay with no base
clock therefore escalates exactly as the live run did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]


class StreamClock:
    """A monotonic clock driven by observed signal times and an optional base clock."""

    def __init__(self, base: Clock | None = None, start: datetime | None = None) -> None:
        self.base = base
        self._latest = start
        self._lock = threading.Lock()

    def observe(self, when: datetime | None) -> None:
        """Move the clock forward to `when` (earlier times are ignored)."""
        if when is None:
            return
        with self._lock:
            if self._latest is None or when > self._latest:
                self._latest = when

    advance_to = observe

    def now(self) -> datetime:
        """The current time (RuntimeError before any signal when there is no base clock)."""
        with self._lock:
            latest = self._latest
        if self.base is not None:
            base = self.base()
            return base if latest is None or base > latest else latest
        if latest is None:
            raise RuntimeError("stream clock has seen no signal yet")
        return latest

    __call__ = now
