"""PagerDuty-compatible receivers: `POST /v2/enqueue` (Events API v2) and `/v2/change/enqueue`.

Anything that can send to PagerDuty (Alertmanager `pagerduty_configs` with `url:`, Grafana's
PagerDuty contact point, monitoring tools with an "Events API v2" integration) can point at
Triage instead. Requests and responses follow PagerDuty's shapes: 202
`{"status": "success", "message": "Event processed", "dedup_key": ...}` once the event is
durably stored (change events: "Change event processed"), 400 `{"status": "invalid event",
"message": "Event object is invalid", "errors": [...]}` for a malformed body. Triage's own
fields (`signal_ids`, `error`, `field`) are added, never in place of PagerDuty's. Auth and
body limits are the service's (bearer token when configured; `max_body_bytes`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from agent.pipeline import webhook_schemas
from agent.service.deps import BodyDep, ServiceDep, require_token
from agent.service.ingest import RejectedError
from agent.service.schemas import json_body

INVALID = "Event object is invalid"


class PagerDutyAccepted(BaseModel):
    """PagerDuty's 202 body, plus the stored signal ids."""

    status: str = "success"
    message: str = "Event processed"
    dedup_key: str | None = None
    signal_ids: list[str] = []


class PagerDutyError(BaseModel):
    """PagerDuty's error body, plus Triage's one-line error and field."""

    status: str
    message: str
    errors: list[str]
    error: str
    field: str | None = None


def _error(status: int, message: str, field: str | None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    kind = "invalid event" if status in (400, 413, 422) else "unauthorized" \
        if status in (401, 403) else "error"
    body = PagerDutyError(status=kind, message=INVALID if kind == "invalid event" else message,
                          errors=[message], error=message, field=field)
    return JSONResponse(body.model_dump(), status_code=400 if status == 422 else status,
                        headers=headers)


class PagerDutyRoute(APIRoute):
    """Renders every refusal on these routes in PagerDuty's error shape (422 becomes 400, as
    PagerDuty answers a malformed event)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RejectedError as exc:
                return _error(exc.status, exc.message, exc.field)
            except HTTPException as exc:
                detail = exc.detail if isinstance(exc.detail, dict) else {"error": exc.detail}
                return _error(exc.status_code, str(detail.get("error")), detail.get("field"),
                              exc.headers)

        return route


router = APIRouter(prefix="/v2", dependencies=[Depends(require_token)], tags=["pagerduty"],
                   route_class=PagerDutyRoute)
SCHEMAS = webhook_schemas()
RESPONSES = {400: {"model": PagerDutyError}, 401: {"model": PagerDutyError},
             413: {"model": PagerDutyError}, 503: {"model": PagerDutyError}}


async def _accept(service: ServiceDep, route: str, body: bytes, fmt: str, message: str,
                  dedup: bool) -> JSONResponse:
    accepted = await service.ingestor.ingest_async(route, body, fmt)
    # a redelivery parses to the same fingerprints as the stored first delivery
    key = accepted.fingerprints[0] if dedup and accepted.fingerprints else None
    out = PagerDutyAccepted(message=message, dedup_key=key, signal_ids=accepted.signal_ids)
    return JSONResponse(out.model_dump(exclude_none=True), status_code=202)


@router.post("/enqueue", status_code=202, response_model=PagerDutyAccepted, responses=RESPONSES,
             openapi_extra=json_body(SCHEMAS["pagerduty"], "A PagerDuty Events API v2 event."))
async def enqueue(service: ServiceDep, body: BodyDep) -> JSONResponse:
    """PagerDuty Events API v2: trigger, acknowledge or resolve one alert event."""
    return await _accept(service, "/v2/enqueue", body, "pagerduty", "Event processed", dedup=True)


@router.post("/change/enqueue", status_code=202, response_model=PagerDutyAccepted,
             responses=RESPONSES, openapi_extra=json_body(
                 SCHEMAS["pagerduty-change"], "A PagerDuty change event."))
async def change_enqueue(service: ServiceDep, body: BodyDep) -> JSONResponse:
    """PagerDuty change event (a deploy, a config change): kept as context for correlation."""
    return await _accept(service, "/v2/change/enqueue", body, "pagerduty-change",
                   "Change event processed", dedup=False)
