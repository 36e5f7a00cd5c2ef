"""Read and act on decisions: one signal, open incidents, resolve, retry, dead letters."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from agent.pipeline import Pipeline
from agent.service.deps import PipelineDep, PrincipalDep, ServiceDep, require_token
from agent.service.incidents import open_incidents
from agent.service.schemas import (
    DeadLetterOut,
    IncidentsOut,
    LearningOut,
    PendingOut,
    ResolveIn,
    ResolveOut,
)
from agent.service.state import Service

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], tags=["api"])


@router.get("/signals/{signal_id}", responses={202: {"model": PendingOut}, 404: {}})
def get_signal(signal_id: str, service: ServiceDep) -> Response:
    """The decision for one signal; 202 with `state` while pending (or failed); 404 if unknown."""
    decision = service.store.get_decision(signal_id)
    if decision is not None:
        return Response(decision.model_dump_json(), media_type="application/json")
    if service.store.get_signal(signal_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown signal {signal_id}")
    claim = service.claims.get(signal_id)
    failed = claim is not None and claim.state == "failed"
    body = PendingOut(signal_id=signal_id, state="failed" if failed else "pending",
                      error=claim.error if claim else None,
                      attempts=claim.attempts if claim else 0)
    return JSONResponse(body.model_dump(), status_code=202)


@router.post("/signals/{signal_id}/retry", status_code=202, response_model=PendingOut)
def retry_signal(signal_id: str, service: ServiceDep) -> PendingOut:
    """Queue a signal whose decision failed for another attempt."""
    if service.store.get_signal(signal_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown signal {signal_id}")
    if service.store.get_decision(signal_id) is not None:
        raise HTTPException(status_code=409, detail="already decided")
    service.claims.reset(signal_id)
    service.worker.submit([signal_id])
    return PendingOut(signal_id=signal_id, state="pending")


@router.get("/incidents", response_model=IncidentsOut)
def incidents(service: ServiceDep, pipeline: PipelineDep,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> IncidentsOut:
    """Open incident groups with their grouped signals' decisions, newest activity first."""
    records = getattr(pipeline.incidents, "service", None)
    return IncidentsOut(incidents=open_incidents(pipeline.noise, service.store,
                                                 service.resolutions, limit,
                                                 records.store if records else None))


def _submit_learning(service: Service, signal_id: str, req: ResolveIn,
                     author: str) -> LearningOut:
    learning = service.pipeline.submit_learning(signal_id, fix=req.fix or "",
                                                runbook=req.runbook, author=author,
                                                links=req.links)
    return LearningOut(id=learning.id, status=learning.status, flags=learning.flags)


def _resolve_record(pipeline: Pipeline, signal_id: str, req: ResolveIn, author: str) -> None:
    """Resolve the incident record the signal belongs to (legacy route, same state machine)."""
    from agent.incidents.model import Actor, IncidentError

    incidents = getattr(pipeline.incidents, "service", None)
    record = incidents.store.for_link("decision", signal_id) if incidents else None
    if incidents is None or record is None or not record.is_open:
        return
    try:
        incidents.resolve(record.id, Actor(author, "api"), reason=req.note)
    except IncidentError as exc:
        log.warning("incident record not resolved", extra={"incident": record.id,
                                                           "error": str(exc)})


@router.post("/signals/{signal_id}/resolve", response_model=ResolveOut)
def resolve(signal_id: str, req: ResolveIn, service: ServiceDep,
            pipeline: PipelineDep, principal: PrincipalDep) -> ResolveOut:
    """Resolve the incident group of a signal; with `fix`, quarantine a learning for review.

    The author is the caller's credential name; an `author` in the body is ignored.
    """
    author = principal.name
    decision = service.store.get_decision(signal_id)
    if decision is None:
        if service.store.get_signal(signal_id) is None:
            raise HTTPException(status_code=404, detail=f"unknown signal {signal_id}")
        raise HTTPException(status_code=409, detail="signal not decided yet")
    group = pipeline.noise.group(decision.noise.group_id)
    if group is None:
        raise HTTPException(status_code=409, detail="signal has no group")
    service.resolutions.resolve(group, signal_id, author, req.note)
    _resolve_record(pipeline, signal_id, req, author)
    out = ResolveOut(signal_id=signal_id, group_id=group.group_id, resolved=True)
    if req.fix and req.fix.strip():
        try:
            out.learning = _submit_learning(service, signal_id, req, author)
        except Exception as exc:  # the resolution stands; say why no learning was written
            log.warning("learning not written", extra={"signal_id": signal_id,
                                                       "error": str(exc)})
            out.learning_error = f"{type(exc).__name__}: {exc}"
    log.info("incident resolved", extra={"signal_id": signal_id, "group_id": group.group_id,
                                         "author": author})
    return out


@router.get("/dead-letters", response_model=list[DeadLetterOut])
def dead_letters(service: ServiceDep,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    """Bodies refused recently (redacted, truncated), newest first."""
    return [vars(d) for d in service.dead_letters.recent(limit)]
