"""Operations: liveness, Prometheus metrics and runtime maintenance windows."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse

from agent.kernel.durations import parse_duration
from agent.kernel.noise import Suppression
from agent.service.deps import PipelineDep, PrincipalDep, ServiceDep, require_token
from agent.service.metrics import CONTENT_TYPE
from agent.service.process_metrics import PROCESS_STARTED, render_process_metrics
from agent.service.readiness import PASSING, readiness
from agent.service.schemas import MaintenanceIn, SuppressionOut

router = APIRouter(tags=["ops"])
maintenance = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], tags=["ops"])


@router.get("/healthz")
def healthz(service: ServiceDep) -> dict[str, object]:
    """Liveness: the database answers and the decision worker runs."""
    try:
        with service.lock:
            service.conn.execute("SELECT 1").fetchone()
        db = "ok"
    except Exception as exc:
        db = f"error: {type(exc).__name__}"
    worker = service.worker.alive if service.options.background and service.options.decide \
        else None
    return {"status": "ok" if db == "ok" else "degraded", "db": db, "workers": worker,
            "backlog": service.ingestor.backlog()}  # an ingest-only process: the inbox


@router.get("/readyz")
def readyz(service: ServiceDep) -> JSONResponse:
    """Readiness: 200 only when this process can take traffic (database writable, decision
    worker running, knowledge base answering); 503 with the failing checks otherwise."""
    checks = readiness(service)
    ready = all(value in PASSING for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics", response_class=PlainTextResponse, dependencies=[Depends(require_token)])
def metrics(service: ServiceDep) -> PlainTextResponse:
    """Prometheus text exposition (format 0.0.4)."""
    text = service.metrics.render() + render_process_metrics(PROCESS_STARTED)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)


def _out(s: Suppression) -> SuppressionOut:
    return SuppressionOut(id=s.id, kind=s.kind, matchers=s.matchers, start=s.start, end=s.end,
                          reason=s.reason, created_by=s.created_by, expired_at=s.expired_at)


@maintenance.post("/maintenance", status_code=201, response_model=SuppressionOut)
def add_window(req: MaintenanceIn, pipeline: PipelineDep,
               principal: PrincipalDep) -> SuppressionOut:
    """Declare a runtime maintenance window (`end`, or `duration` from `start`; start: now).

    `created_by` is the caller's credential name; a `created_by` in the body is ignored.
    """
    start = req.start or datetime.now(UTC)
    if start.tzinfo is None:
        raise HTTPException(422, {"error": "start: needs a timezone", "field": "start"})
    if req.end is not None:
        end = req.end
    elif req.duration:
        try:
            end = start + parse_duration(req.duration)
        except OverflowError:
            raise HTTPException(422, {"error": "duration: too long", "field": "duration"}) \
                from None
        except ValueError as exc:
            raise HTTPException(422, {"error": f"duration: {exc}", "field": "duration"}) from None
    else:
        raise HTTPException(422, {"error": "end: give end or duration", "field": "end"})
    try:
        window = pipeline.noise.add_window(req.matchers, start, end, req.reason,
                                           principal.name)
    except ValueError as exc:
        field = "end" if "end" in str(exc) or "timezone" in str(exc) else "matchers"
        raise HTTPException(422, {"error": f"{field}: {exc}", "field": field}) from None
    return _out(window)


@maintenance.get("/maintenance", response_model=list[SuppressionOut])
def list_windows(pipeline: PipelineDep) -> list[SuppressionOut]:
    """Runtime maintenance windows, expired ones included."""
    return [_out(s) for s in pipeline.noise.list_windows()]


@maintenance.delete("/maintenance/{window_id}")
def expire_window(window_id: str, pipeline: PipelineDep) -> dict[str, str]:
    """End a runtime window now."""
    if not pipeline.noise.expire(window_id, datetime.now(UTC)):
        raise HTTPException(404, {"error": f"unknown window {window_id}", "field": "window_id"})
    return {"id": window_id, "status": "expired"}
