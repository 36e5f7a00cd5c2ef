"""Ticket integration inside `triage serve` (mounted only when `tickets.instances` is set).

The ticket routes see the runtime as `app.state.tickets` (overrides, echoes, instance of each
stored signal); the decision worker tells it every new decision (write-back enqueued in the
outbox); the lifespan starts its outbox thread, and its poll thread for polling instances,
which feed tickets through the same ingest path as the webhooks.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI

from agent.service.state import Service
from agent.tickets.runtime import TicketsRuntime
from agent.wiring import ticket_runtime


class _ThreadSignals:
    """get_signal / get_decision on the calling thread's store."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def get_signal(self, signal_id: str) -> Any:
        return self.service.store.get_signal(signal_id)

    def get_decision(self, signal_id: str) -> Any:
        return self.service.store.get_decision(signal_id)


def mount(app: FastAPI, service: Service) -> TicketsRuntime | None:
    """Attach the ticket runtime to the app and the worker (None without instances)."""
    runtime = ticket_runtime(service.config, service.connect, _ThreadSignals(service),
                             env=lambda: getattr(app.state, "ticket_env", None) or os.environ,
                             retriever=service.pipeline.knowledge)
    if runtime is None:
        return None
    app.state.tickets = runtime
    service.worker.add_listener(runtime.on_decision)
    return runtime


def start(app: FastAPI) -> None:
    """Start the outbox (and poll) threads when the ticket runtime is mounted."""
    runtime: TicketsRuntime | None = getattr(app.state, "tickets", None)
    if runtime is None:
        return
    service: Service = app.state.service

    def deliver(system: str, instance: str, payload: dict[str, Any], key: str) -> list[str]:
        body = json.dumps(payload).encode("utf-8")
        return service.ingestor.ingest(f"/v1/webhooks/{system}", body, system, key).signal_ids

    runtime.start(deliver)


def stop(app: FastAPI) -> None:
    """Stop the ticket threads."""
    runtime: TicketsRuntime | None = getattr(app.state, "tickets", None)
    if runtime is not None:
        runtime.stop()
