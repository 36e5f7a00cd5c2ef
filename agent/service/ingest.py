"""Receiving a payload: parse, durably store under a delivery key, then hand over for a decision.

The delivery key is a SHA-256 of the route and the canonical body (JSON re-serialized with
sorted keys, or the raw text), so a sender's retry of the same body maps to the ids of the
first delivery and never yields a second decision. A sender-supplied `Idempotency-Key` header
replaces the body in the key. Storage errors become `StorageError` (HTTP 503, retried by
senders) with nothing half-stored: each group commit is one transaction. A full backlog is
`OverloadedError` (503 + Retry-After) before any parsing or storing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.config.ingest import IngestSection
from agent.kernel.errors import SignalParseError
from agent.pipeline import Pipeline, Prepared
from agent.service.commit import GroupCommitter
from agent.service.deadletters import DeadLetters
from agent.service.metrics import ServiceMetrics
from agent.service.worker import DecisionWorker
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)
INLINE_PARSE_BYTES = 64 * 1024  # bodies up to this size are parsed on the event loop


class RejectedError(Exception):
    """The body was refused (4xx): `status`, the offending `field` and a one-line `message`."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class StorageError(Exception):
    """Storing failed; the sender should retry (5xx)."""


class OverloadedError(Exception):
    """The backlog is full: 503 with `Retry-After`, so senders retry later (load shedding)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class Accepted:
    """What a 202 reports: the stored signal ids and whether this was a redelivery."""

    signal_ids: list[str]
    redelivery: bool
    fingerprints: list[str] = field(default_factory=list)  # of this delivery's signals


def canonical_bytes(value: Any) -> bytes:
    """A stable byte form of a decoded payload (JSON with sorted keys, or the text)."""
    if isinstance(value, str):
        return value.strip().encode("utf-8")
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def delivery_key(route: str, value: Any, idempotency_key: str | None = None) -> str:
    """The redelivery key of a payload received on `route`."""
    digest = hashlib.sha256(route.encode("utf-8") + b"\n")
    if idempotency_key:
        digest.update(b"idempotency-key:" + idempotency_key.encode("utf-8"))
    else:
        digest.update(canonical_bytes(value))
    return f"{route}:{digest.hexdigest()}"


class Ingestor:
    """Turns request bodies into stored signals queued for a decision.

    The ack path: shed load when the backlog is full, parse and validate, cap the signals per
    body, append through the group committer (durable before the answer), queue the new ids
    in the worker's priority lanes.
    """

    def __init__(self, store: Callable[[], SignalStore], pipeline: Pipeline,
                 dead_letters: DeadLetters, metrics: ServiceMetrics,
                 worker: DecisionWorker | None, committer: GroupCommitter | None = None,
                 limits: IngestSection | None = None,
                 backlog: Callable[[], int] | None = None) -> None:
        """`backlog`: undecided signals to shed load on (default: the worker's queue)."""
        self.store, self.pipeline = store, pipeline  # store(): the calling thread's store
        self.dead_letters, self.metrics, self.worker = dead_letters, metrics, worker
        self.committer = committer
        self.limits = limits or IngestSection()
        self.backlog = backlog or ((lambda: worker.backlog) if worker is not None else (lambda: 0))

    def reject(self, route: str, status: int, message: str, body: bytes,
               field: str | None = None, size: int | None = None) -> RejectedError:
        """Count and dead-letter a refused body; return the error to raise."""
        self.metrics.rejected.inc(route=route, status=str(status))
        try:
            self.dead_letters.add(route, status, message, body, field, size)
        except Exception:  # the dead-letter table is best effort
            log.exception("dead-lettering failed", extra={"route": route})
        log.info("rejected body", extra={"route": route, "status": status, "field": field})
        return RejectedError(status, message, field)

    def ingest(self, route: str, body: bytes, fmt: str,
               idempotency_key: str | None = None) -> Accepted:
        """Parse and durably store one request body; queue new signals (blocking callers)."""
        prepared = self._prepare(route, body, fmt, idempotency_key)
        lanes = self.pipeline.lanes(prepared.signals)
        if self.committer is None:
            ids = self._store_direct(route, prepared)
        else:
            try:
                ids = self.committer.submit(prepared.signals, prepared.delivery_key,
                                            lanes, prepared.body).result()
            except Exception as exc:
                raise self._storage_error(route, exc) from exc
        return self._queued(route, prepared, ids, lanes)

    async def ingest_async(self, route: str, body: bytes, fmt: str,
                           idempotency_key: str | None = None) -> Accepted:
        """`ingest` for the event loop: the group commit is awaited, no thread is blocked.

        Small bodies are parsed on the loop (cheaper than a thread hop); large ones in a
        thread, so one big Alertmanager group never stalls the other requests."""
        if len(body) > INLINE_PARSE_BYTES:
            prepared = await asyncio.to_thread(self._prepare, route, body, fmt, idempotency_key)
        else:
            prepared = self._prepare(route, body, fmt, idempotency_key)
        lanes = self.pipeline.lanes(prepared.signals)
        if self.committer is None:
            ids = self._store_direct(route, prepared)
        else:
            try:
                ids = await self.committer.append(prepared.signals, prepared.delivery_key,
                                                  lanes, prepared.body)
            except Exception as exc:
                raise self._storage_error(route, exc) from exc
        return self._queued(route, prepared, ids, lanes)

    # ---- steps -------------------------------------------------------------------------------

    def _prepare(self, route: str, body: bytes, fmt: str,
                 idempotency_key: str | None) -> Prepared:
        self._shed(route)
        try:
            prepared = self.pipeline.prepare(
                body, fmt, delivery_key=lambda value: delivery_key(route, value,
                                                                   idempotency_key),
                require_signals=True)
        except SignalParseError as exc:
            status = 400 if exc.field == "payload" and "no signals" not in exc.problem else 422
            raise self.reject(route, status, str(exc), body, exc.field) from None
        cap = self.limits.max_alerts_per_body
        if len(prepared.signals) > cap:
            raise self.reject(route, 413, f"invalid input: payload: {len(prepared.signals)} "
                              f"signals in one body, at most {cap} (ingest.max_alerts_per_body)"
                              "; split the body", body[:2048], "payload",
                              size=len(body))
        if self.backlog() >= self.limits.max_backlog and not self.pipeline.urgent(prepared.signals):
            self._overloaded(route)  # the headroom above max_backlog is for urgent signals
        return prepared

    def _shed(self, route: str) -> None:
        """503 before parsing when even urgent signals would not fit any more."""
        if self.backlog() >= self.limits.max_backlog + self.limits.urgent_headroom:
            self._overloaded(route)

    def _overloaded(self, route: str) -> None:
        self.metrics.shed.inc(route=route)
        raise OverloadedError(f"backlog full ({self.backlog()} "
                              "undecided signals); retry later", self.limits.retry_after_s)

    def _store_direct(self, route: str, prepared: Prepared) -> list[str]:
        try:
            return self.store().add_signals(prepared.signals, prepared.delivery_key,
                                            body=prepared.body)
        except Exception as exc:
            raise self._storage_error(route, exc) from exc

    def _storage_error(self, route: str, exc: Exception) -> StorageError:
        log.error("storing signals failed", extra={"route": route, "error": str(exc)})
        return StorageError(f"storing failed: {type(exc).__name__}")

    def _queued(self, route: str, prepared: Prepared, ids: list[str],
                lanes: list[int]) -> Accepted:
        accepted = prepared.accepted(ids)
        if accepted.redelivery:
            self.metrics.redeliveries.inc(route=route)
        else:
            for signal in prepared.signals:
                self.metrics.signals_received.inc(source=signal.source)
        if self.worker is not None:  # a redelivery re-queues ids still undecided (claims dedup)
            self.worker.submit(ids, None if accepted.redelivery else lanes)
        log.debug("stored payload", extra={"route": route, "signals": len(ids),
                                           "redelivery": accepted.redelivery})
        return Accepted(signal_ids=ids, redelivery=accepted.redelivery,
                        fingerprints=[s.fingerprint for s in prepared.signals])
