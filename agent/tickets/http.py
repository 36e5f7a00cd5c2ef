"""The HTTP client every ticket-system client uses: timeouts, retries with backoff, 429 honoured.

A call is retried on 429, 5xx and network errors, up to `max_retries` times, waiting
`Retry-After` (seconds or an HTTP date) when the server sends it, else exponential backoff
(`backoff_base_s * 2**attempt`, capped at `backoff_max_s`); a `Retry-After` beyond that cap is
not slept on here but raised, so the outbox schedules the step no earlier than it says.
4xx other than 429 are not retried here: `TicketApiError` carries the status and the vendor's
error text, and the outbox decides.
`sleep` and `now` are injected so tests run without waiting on the wall clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class TicketApiError(Exception):
    """A ticket-system call failed: `status` (0 for network errors), `retryable`, message."""

    def __init__(self, status: int, message: str, *, retryable: bool,
                 retry_after_s: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status, self.retryable, self.retry_after_s = status, retryable, retry_after_s


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def error_text(response: httpx.Response) -> str:
    """The vendor's error message from a JSON error body (Jira, ServiceNow, Zendesk shapes)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        if isinstance(body.get("errorMessages"), list) or isinstance(body.get("errors"), dict):
            parts = [str(m) for m in body.get("errorMessages") or []]
            errors = body.get("errors")
            if isinstance(errors, dict):
                parts += [f"{k}: {v}" for k, v in errors.items()]
            if parts:
                return "; ".join(parts)[:300]
        error = body.get("error")
        if isinstance(error, dict):  # ServiceNow: {"error": {"message", "detail"}}
            parts = [str(error[k]) for k in ("message", "detail") if error.get(k)]
            return ": ".join(parts)[:300] or str(error)[:300]
        if isinstance(error, str):  # Zendesk: {"error", "description", "details"}
            text = f"{error}: {body.get('description', '')}".strip(": ")
            if isinstance(body.get("details"), dict):
                text += " (" + ", ".join(sorted(body["details"])) + ")"
            return text[:300]
    return str(body)[:300]


class RetryingClient:
    """httpx.Client wrapper: one `request()` that retries what is worth retrying."""

    def __init__(self, base_url: str, *, auth: httpx.Auth | None = None,
                 headers: Mapping[str, str] | None = None, timeout_s: float = 10.0,
                 max_retries: int = 4, backoff_base_s: float = 0.5, backoff_max_s: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(base_url=base_url, auth=auth, timeout=timeout_s,
                                   headers={"Accept": "application/json", **(headers or {})},
                                   transport=transport)
        self.max_retries, self.base, self.cap = max_retries, backoff_base_s, backoff_max_s
        self.sleep, self.now = sleep, now
        self.calls = 0  # requests sent, retries included

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def _backoff(self, attempt: int) -> float:
        return min(self.cap, self.base * (2 ** attempt))

    def request(self, method: str, path: str, *, idempotent: bool = True,
                **kwargs: Any) -> httpx.Response:
        """Send with retries; return a 2xx response or raise TicketApiError.

        A call that is not idempotent (adding a comment) is retried here only when the server
        surely did not act on it (429, or no connection); after a timeout or a 5xx it may
        have, so the error goes back to the outbox, whose retry first looks for the comment.
        """
        attempt = 0
        while True:
            self.calls += 1
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                unsent = isinstance(exc, httpx.ConnectError)
                error = TicketApiError(0, f"{type(exc).__name__}: {exc}"[:200], retryable=True)
                if not (idempotent or unsent):
                    raise error from None
                wait = self._backoff(attempt)
            else:
                if response.is_success:
                    return response
                wait_hint = retry_after(response.headers.get("retry-after"), self.now())
                retryable = response.status_code in RETRY_STATUSES
                if not idempotent and response.status_code != 429:
                    retryable = False
                error = TicketApiError(response.status_code, error_text(response),
                                       retryable=retryable, retry_after_s=wait_hint)
                if not retryable:
                    raise error
                wait = wait_hint if wait_hint is not None else self._backoff(attempt)
            # a Retry-After longer than the inline cap goes back to the outbox, which
            # schedules the step at that time instead of blocking this thread
            if attempt >= self.max_retries or wait > self.cap:
                raise error
            log.info("retrying ticket API call", extra={"method": method, "path": path,
                                                        "status": error.status, "wait_s": wait})
            self.sleep(wait)
            attempt += 1
