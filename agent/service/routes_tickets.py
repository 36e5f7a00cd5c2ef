"""Ticket-system webhooks: `POST /v1/webhooks/jira`, `/servicenow` and `/zendesk` (202 stored).

Each route authenticates the way its system does (agent.service.ticket_auth), then hands the
body to the same ingest path as the Alertmanager receiver (parse, durable store under a
delivery key, decision in the background worker). `?instance=NAME` picks a configured
instance when a system has several. Before ingest, the hub sees the body: it records human
overrides of an earlier write-back as labeled history, and answers an echo of Triage's own
write-back (its comment, its field changes) with 202 and no new signal.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Annotated, Protocol

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from agent.config.tickets import TicketInstance
from agent.service.deps import BodyDep, ServiceDep
from agent.service.routes_webhooks import ERRORS
from agent.service.schemas import AcceptedOut
from agent.service.state import Service
from agent.service.ticket_auth import WebhookAuthError, authenticate

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/webhooks", tags=["tickets"])
InstanceQuery = Annotated[str | None, Query(alias="instance", max_length=100)]
# Jira's per-delivery id, stable across its retries (others: the body hash is the key)
JIRA_DELIVERY = "x-atlassian-webhook-identifier"


class InboundHook(Protocol):
    """What the write-back side does with an authenticated body before and after ingest."""

    def before_ingest(self, system: str, instance: str | None, body: bytes) -> str | None:
        """Record overrides; return a reason to skip ingest (an echo of our own write)."""

    def after_ingest(self, system: str, instance: str | None, signal_ids: list[str]) -> None:
        """Remember which instance the stored signals came from."""


def ticket_env(request: Request) -> Mapping[str, str]:
    """Where credentials named in the config are looked up (tests inject a dict)."""
    return getattr(request.app.state, "ticket_env", None) or os.environ


def _instance(service: Service, system: str, name: str | None) -> tuple[str, TicketInstance] | None:
    found = service.config.tickets.of_system(system, name)
    if name is not None and found is None:
        raise HTTPException(404, detail={"error": f"no {system} instance named {name[:40]!r} in "
                                                  "tickets.instances", "field": "instance"})
    return found


def _receive(request: Request, service: Service, system: str, body: bytes,
             instance: str | None) -> JSONResponse:
    found = _instance(service, system, instance)
    name, inst = found if found else (None, None)
    token = service.settings.webhook_token
    try:
        authenticate(system, inst, request.headers, body, env=ticket_env(request),
                     service_token=token.get_secret_value() if token else None,
                     now=service.pipeline.clock())
    except WebhookAuthError as exc:
        service.metrics.rejected.inc(route="auth", status="401")
        raise HTTPException(401, detail={"error": exc.message, "field": exc.field},
                            headers={"WWW-Authenticate": 'Bearer realm="triage"'}) from None
    route = f"/v1/webhooks/{system}"
    hook: InboundHook | None = getattr(request.app.state, "tickets", None)
    reason = None
    if hook is not None:
        try:
            reason = hook.before_ingest(system, name, body)
        except Exception:  # override bookkeeping must never lose the body itself
            log.exception("ticket inbound hook failed", extra={"route": route})
    if reason:
        return JSONResponse({"signal_ids": [], "redelivery": False, "ignored": reason},
                            status_code=202)
    key = request.headers.get("idempotency-key") or (request.headers.get(JIRA_DELIVERY)
                                                      if system == "jira" else None)
    accepted = service.ingestor.ingest(route, body, system, key)
    if hook is not None:
        hook.after_ingest(system, name, accepted.signal_ids)
    out = AcceptedOut(signal_ids=accepted.signal_ids, redelivery=accepted.redelivery)
    return JSONResponse(out.model_dump(), status_code=202)


@router.post("/jira", status_code=202, response_model=AcceptedOut, responses=ERRORS)
def jira(request: Request, service: ServiceDep, body: BodyDep,
         instance: InstanceQuery = None) -> JSONResponse:
    """Jira Cloud / JSM webhook (issue created/updated, comment events)."""
    return _receive(request, service, "jira", body, instance)


@router.post("/servicenow", status_code=202, response_model=AcceptedOut, responses=ERRORS)
def servicenow(request: Request, service: ServiceDep, body: BodyDep,
               instance: InstanceQuery = None) -> JSONResponse:
    """ServiceNow outbound REST / business-rule webhook for incident and sc_request records."""
    return _receive(request, service, "servicenow", body, instance)


@router.post("/zendesk", status_code=202, response_model=AcceptedOut, responses=ERRORS)
def zendesk(request: Request, service: ServiceDep, body: BodyDep,
            instance: InstanceQuery = None) -> JSONResponse:
    """Zendesk ticket webhook (event-subscribed ticket events or a trigger's JSON body)."""
    return _receive(request, service, "zendesk", body, instance)
