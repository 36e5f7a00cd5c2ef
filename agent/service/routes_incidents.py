"""Incident lifecycle over HTTP: read, declare, ack / mitigate / resolve, priority, roles.

The actor is the authenticated principal, never a field of the body. Errors: 404 unknown
incident, 409 an illegal transition, 403 not allowed, 422 a bad field.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from agent.incidents.model import (
    Actor,
    IllegalTransition,
    IncidentError,
    NotAuthorized,
    UnknownIncident,
)
from agent.incidents.runtime import IncidentResponse
from agent.incidents.views import incident_dict
from agent.service.auth import bearer_token
from agent.service.deps import ServiceDep, require_token
from agent.service.state import Service

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/incidents", dependencies=[Depends(require_token)],
                   tags=["incidents"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonIn(_In):
    """An optional reason for a lifecycle step."""

    reason: str | None = Field(None, max_length=2000)


class DeclareIn(_In):
    """Declare an incident by hand."""

    title: str = Field(min_length=1, max_length=300)
    priority: Literal["P1", "P2", "P3", "P4", "P5"] = "P2"
    service: str | None = None
    reason: str | None = Field(None, max_length=2000)


class PriorityIn(_In):
    """Change priority (and severity) with a reason."""

    priority: Literal["P1", "P2", "P3", "P4", "P5"]
    severity: Literal["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"] | None = None
    reason: str = Field(min_length=1, max_length=2000)


class AssignIn(_In):
    """Give a role (commander, communications, operations, scribe) to a user."""

    role: Literal["commander", "communications", "operations", "scribe"]
    user: str = Field(min_length=1, max_length=100)
    reason: str | None = Field(None, max_length=2000)


class LinkIn(_In):
    """Attach a stored signal to the incident."""

    signal_id: str = Field(min_length=1, max_length=200)
    detail: str = Field("", max_length=300)


def responder(service: ServiceDep) -> IncidentResponse:
    """The incident subsystem of the service's pipeline."""
    incidents = service.pipeline.incidents
    if not isinstance(incidents, IncidentResponse):
        raise HTTPException(status_code=503, detail="incident response is not enabled")
    return incidents


ResponderDep = Annotated[IncidentResponse, Depends(responder)]


def request_actor(request: Request, service: ServiceDep) -> Actor:
    """The authenticated principal as an actor (the auth layer's principal when it sets one)."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        name = str(getattr(principal, "name", None) or getattr(principal, "id", "principal"))
        scopes = frozenset(getattr(principal, "scopes", ()) or ())
        return Actor(name, "api", scopes)
    token = bearer_token(request.headers.get("authorization"))
    if service.settings.webhook_token is not None and token:
        return Actor("token", "api")
    return Actor("anonymous", "api")


ActorDep = Annotated[Actor, Depends(request_actor)]


def _call(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except UnknownIncident as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except IllegalTransition as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except NotAuthorized as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except IncidentError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/{incident_id}")
def get_incident(incident_id: str, incidents: ResponderDep, service: ServiceDep
                 ) -> dict[str, Any]:
    """One incident: lifecycle, people, links, timeline, checks and linked decisions."""
    incident = _call(incidents.service.get, incident_id)
    out = incident_dict(incident)
    out["checks"] = incidents.verifier.checks(incident_id)
    decisions = [service.store.get_decision(ref) for ref in incident.linked("decision")]
    out["decisions"] = [d.model_dump(mode="json") for d in decisions if d is not None]
    return out


@router.post("", status_code=201)
def declare(req: DeclareIn, incidents: ResponderDep, actor: ActorDep) -> dict[str, Any]:
    """Declare an incident by hand."""
    incident = _call(incidents.service.open, req.title, req.priority, actor,
                     service=req.service, reason=req.reason)
    return incident_dict(incident)


def _lifecycle(verb: str):  # noqa: ANN202
    def step(incident_id: str, incidents: ResponderDep, actor: ActorDep,
             req: ReasonIn | None = None) -> dict[str, Any]:
        incident = _call(incidents.service.transition, incident_id, verb, actor,
                         reason=req.reason if req else None)
        incidents.tick()
        return incident_dict(incidents.service.get(incident.id))
    step.__doc__ = f"{verb.capitalize()} the incident as the authenticated principal."
    step.__name__ = f"incident_{verb}"
    return step


for _verb in ("ack", "mitigate", "resolve", "reopen"):
    router.post(f"/{{incident_id}}/{_verb}")(_lifecycle(_verb))


@router.post("/{incident_id}/priority")
def set_priority(incident_id: str, req: PriorityIn, incidents: ResponderDep,
                 actor: ActorDep) -> dict[str, Any]:
    """Change priority/severity with a reason (kept as a labeled past case)."""
    incident = _call(incidents.service.set_priority, incident_id, req.priority, actor,
                     req.reason, severity=req.severity)
    return incident_dict(incidents.service.get(incident.id))


@router.post("/{incident_id}/assign")
def assign(incident_id: str, req: AssignIn, incidents: ResponderDep,
           actor: ActorDep) -> dict[str, Any]:
    """Give a role to a user (hand over commander)."""
    incident = _call(incidents.service.assign, incident_id, req.role, req.user, actor,
                     reason=req.reason)
    return incident_dict(incidents.service.get(incident.id))


@router.post("/{incident_id}/signals")
def link_signal(incident_id: str, req: LinkIn, incidents: ResponderDep, actor: ActorDep,
                service: ServiceDep) -> dict[str, Any]:
    """Attach a stored signal (a user-report ticket) to the incident."""
    if service.store.get_signal(req.signal_id) is None:
        raise HTTPException(status_code=404, detail=f"unknown signal {req.signal_id}")
    added = _call(incidents.service.link_signal, incident_id, req.signal_id, actor=actor,
                  detail=req.detail)
    return {"incident_id": incident_id, "signal_id": req.signal_id, "linked": added}


class Ticker:
    """Ticks incident response (escalations, checks, reminders) every `interval_s` seconds."""

    def __init__(self, service: Service, interval_s: float = 5.0) -> None:
        self.service, self.interval_s = service, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the daemon thread (no-op without incident response)."""
        if not isinstance(self.service.pipeline.incidents, IncidentResponse):
            return
        self._thread = threading.Thread(target=self._run, name="incident-ticker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        incidents = self.service.pipeline.incidents
        while True:  # the first tick at start: a page a killed process left is sent at once
            try:
                incidents.tick()  # type: ignore[union-attr]
            except Exception:
                log.exception("incident tick failed")
            if self._stop.wait(self.interval_s):
                return

    def stop(self) -> None:
        """Stop and join the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


class KpiMetrics:
    """Incident KPIs at GET /metrics, per team and service (recomputed at most every 30 s)."""

    name = "triage_incident_kpi"
    FIELDS = ("mtta_min", "mttr_min", "time_to_engage_min", "escalations", "noise_ratio",
              "dedup_rate", "suppression_rate", "auto_resolution_rate", "verified_fix_rate",
              "incidents", "signals", "notifications")

    def __init__(self, service: Service, max_age_s: float = 30.0) -> None:
        self.service, self.max_age_s = service, max_age_s
        self._cached: tuple[float, list[str]] | None = None
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        """HELP/TYPE lines of every KPI gauge."""
        out = []
        for f in self.FIELDS:
            out += [f"# HELP triage_incident_{f} Incident KPI {f} by scope (all, team, service).",
                    f"# TYPE triage_incident_{f} gauge"]
        return out

    def samples(self) -> list[str]:
        """The gauges, one line per KPI and scope (missing values are left out)."""
        import time

        from agent.incidents.kpis import compute

        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.max_age_s:
                return self._cached[1]
            incidents = self.service.pipeline.incidents
            if not isinstance(incidents, IncidentResponse):
                return []
            report = compute(self.service.store.conn, incidents.service.store)
            lines: list[str] = []
            scopes = [("all", "all", report.overall)]
            scopes += [("team", n, k) for n, k in report.teams.items()]
            scopes += [("service", n, k) for n, k in report.services.items()]
            for scope, name, kpis in scopes:
                values = kpis.as_dict()
                safe_name = name.replace("\\", "\\\\").replace('"', '\\"')
                for f in self.FIELDS:
                    if values[f] is not None:
                        lines.append(f'triage_incident_{f}{{scope="{scope}",name="{safe_name}"}}'
                                     f" {float(values[f])}")
            self._cached = (time.monotonic(), lines)
            return lines


def install_metrics(service: Service) -> None:
    """Add the KPI gauges to the service's /metrics registry."""
    service.metrics.registry.add(KpiMetrics(service))  # type: ignore[arg-type]
