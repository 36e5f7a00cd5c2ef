"""Receiving a payload: parse, durably store under a delivery key, then hand over for a decision.

The delivery key is a SHA-256 of the route and the canonical body (JSON re-serialized with
sorted keys, or the raw text), so a sender's retry of the same body maps to the ids of the
first delivery and never yields a second decision. A sender-supplied `Idempotency-Key` header
replaces the body in the key. Storage errors become `StorageError` (HTTP 503, retried by
senders) with nothing half-stored: `SignalStore.add_signals` is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.kernel.errors import SignalParseError, StoreError
from agent.pipeline import Pipeline
from agent.service.deadletters import DeadLetters
from agent.service.metrics import ServiceMetrics
from agent.service.worker import DecisionWorker
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)


class RejectedError(Exception):
    """The body was refused (4xx): `status`, the offending `field` and a one-line `message`."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class StorageError(Exception):
    """Storing failed; the sender should retry (5xx)."""


@dataclass
class Accepted:
    """What a 202 reports: the stored signal ids and whether this was a redelivery."""

    signal_ids: list[str]
    redelivery: bool


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
    """Turns request bodies into stored signals queued for a decision."""

    def __init__(self, store: Callable[[], SignalStore], pipeline: Pipeline,
                 dead_letters: DeadLetters, metrics: ServiceMetrics,
                 worker: DecisionWorker | None) -> None:
        self.store, self.pipeline = store, pipeline  # store(): the calling thread's store
        self.dead_letters, self.metrics, self.worker = dead_letters, metrics, worker

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
        """Parse and durably store one request body; queue new signals for a decision."""
        try:
            accepted = self.pipeline.accept(
                body, fmt, delivery_key=lambda value: delivery_key(route, value,
                                                                   idempotency_key),
                store=self.store(), require_signals=True)
        except SignalParseError as exc:
            status = 400 if exc.field == "payload" and "no signals" not in exc.problem else 422
            raise self.reject(route, status, str(exc), body, exc.field) from None
        except StoreError as exc:
            log.error("storing signals failed", extra={"route": route, "error": str(exc)})
            raise StorageError(str(exc)) from exc
        ids, signals, redelivery = accepted.signal_ids, accepted.signals, accepted.redelivery
        if redelivery:
            self.metrics.redeliveries.inc(route=route)
        else:
            for signal in signals:
                self.metrics.signals_received.inc(source=signal.source)
        if self.worker is not None:  # a redelivery re-queues ids still undecided (claims dedup)
            self.worker.submit(ids)
        log.info("stored payload", extra={"route": route, "signals": len(ids),
                                          "redelivery": redelivery})
        return Accepted(signal_ids=ids, redelivery=redelivery)
