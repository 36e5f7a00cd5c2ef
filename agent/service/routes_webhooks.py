"""Receivers: Alertmanager, Grafana, PagerDuty-style/generic events and tickets (202 when stored).

Handlers are `async`: parsing runs on the event loop and the durable append is awaited from
the group committer (no thread-pool hop, many requests share one fsync); the body was already
read (and size-checked) by the async `read_body` dependency.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from agent.pipeline import webhook_schemas
from agent.service.deps import BodyDep, ServiceDep, require_token
from agent.service.schemas import AcceptedOut, ErrorOut, json_body

router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], tags=["ingest"])
ERRORS = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 413: {"model": ErrorOut},
          422: {"model": ErrorOut}, 503: {"model": ErrorOut}}
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
SCHEMAS = webhook_schemas()


async def _accept(service: ServiceDep, route: str, body: bytes, fmt: str,
                  idempotency_key: str | None) -> JSONResponse:
    accepted = await service.ingestor.ingest_async(route, body, fmt, idempotency_key)
    out = AcceptedOut(signal_ids=accepted.signal_ids, redelivery=accepted.redelivery)
    return JSONResponse(out.model_dump(), status_code=202)


@router.post("/webhooks/alertmanager", status_code=202, response_model=AcceptedOut,
             responses=ERRORS, openapi_extra=json_body(
                 SCHEMAS["alertmanager"], "An Alertmanager webhook body (version 4)."))
async def alertmanager(service: ServiceDep, body: BodyDep,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Alertmanager webhook (version 4): every alert in the body becomes a signal."""
    return await _accept(service, "/v1/webhooks/alertmanager", body, "alertmanager",
                         idempotency_key)


@router.post("/webhooks/grafana", status_code=202, response_model=AcceptedOut, responses=ERRORS,
             openapi_extra=json_body(SCHEMAS["grafana"], "A Grafana unified-alerting body."))
async def grafana(service: ServiceDep, body: BodyDep,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Grafana unified-alerting webhook."""
    return await _accept(service, "/v1/webhooks/grafana", body, "grafana", idempotency_key)


@router.post("/events", status_code=202, response_model=AcceptedOut, responses=ERRORS)
async def events(service: ServiceDep, body: BodyDep,
                 fmt: Annotated[str, Query(alias="format")] = "auto",
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A PagerDuty Events v2 body or generic JSON (`?format=` forces any CONTRACTS §3 format)."""
    formats = service.pipeline.formats
    if fmt not in formats:
        raise service.ingestor.reject("/v1/events", 400, f"invalid input: format: unknown format "
                                      f"{fmt[:40]!r}; expected one of {', '.join(formats)}",
                                      body, "format")
    return await _accept(service, f"/v1/events?format={fmt}", body, fmt, idempotency_key)


@router.post("/tickets", status_code=202, response_model=AcceptedOut, responses=ERRORS)
async def tickets(service: ServiceDep, body: BodyDep,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A ticket: `{"title", "body", "reporter", ...}` or plain text."""
    return await _accept(service, "/v1/tickets", body, "ticket", idempotency_key)

