"""Cost and resilience guards: token budget per signal, request rate, concurrency, breaker."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class TokenBudget:
    """Tokens one signal may spend across its investigation and final answer."""

    limit: int
    spent: int = 0

    def spend(self, tokens: int) -> None:
        """Record tokens used by one request."""
        self.spent += max(0, tokens)

    @property
    def remaining(self) -> int:
        """Tokens left (never negative)."""
        return max(0, self.limit - self.spent)

    def allows(self, estimated: int) -> bool:
        """Whether a request estimated at `estimated` tokens still fits."""
        return estimated <= self.remaining


def estimate_tokens(messages: list[dict], extra_chars: int = 0) -> int:
    """A rough prompt-size estimate (≈4 characters per token) used before sending."""
    chars = extra_chars
    for m in messages:
        content = m.get("content")
        chars += len(content) if isinstance(content, str) else len(str(content or ""))
        chars += len(str(m.get("tool_calls") or ""))
    return chars // 4 + 8 * len(messages)


class RateLimiter:
    """At most `per_minute` requests in any sliding 60-second window (non-blocking)."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take one request slot now, or return False when the minute's budget is spent."""
        with self._lock:
            now = self._clock()
            while self._times and now - self._times[0] >= 60.0:
                self._times.popleft()
            if len(self._times) >= self._per_minute:
                return False
            self._times.append(now)
            return True


class CircuitBreaker:
    """Opens after N consecutive failed calls; after a cooldown lets one trial call through."""

    def __init__(self, failures: int, cooldown_s: float, clock: Clock) -> None:
        self._threshold = failures
        self._cooldown = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        """closed | open | half_open."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._clock() - self._opened_at >= self._cooldown:
                return "half_open"
            return "open"

    def allow(self) -> bool:
        """Whether a call may go out now (one trial call when half-open)."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self._cooldown or self._trial:
                return False
            self._trial = True
            return True

    def success(self) -> None:
        """A call succeeded: close the circuit."""
        with self._lock:
            self._failures, self._opened_at, self._trial = 0, None, False

    def failure(self) -> bool:
        """A call failed (after retries); returns True when this failure opened the circuit."""
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self._threshold:
                self._opened_at, self._trial = self._clock(), False
                return True
            return False


def backoff_delay(attempt: int, base_s: float, max_s: float,
                  retry_after_s: float | None = None) -> float:
    """Exponential backoff (base·2^attempt, capped), or the server's Retry-After when given."""
    if retry_after_s is not None and retry_after_s >= 0:
        return min(retry_after_s, max_s)
    return min(base_s * (2 ** attempt), max_s)
