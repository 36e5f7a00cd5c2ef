"""The FastAPI app of `triage serve`: receivers, API, Slack endpoint, health and metrics.

`create_app(settings, config, pipeline=None)` builds the pipeline from settings when none is
given (tests inject one on tmp_path). A payload is answered 202 only after it is durably
stored; the decision runs in the background worker, which the app starts and stops with its
lifespan and which on start resumes every stored signal that was never decided.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.kernel.heap import freeze_heap
from agent.kernel.version import version
from agent.pipeline import Pipeline
from agent.service import (
    routes_api,
    routes_docs,
    routes_incidents,
    routes_ops,
    routes_pagerduty,
    routes_tickets,
    routes_webhooks,
    slack_hook,
    tickets_hook,
)
from agent.service.auth import Authenticator
from agent.service.fastpath import IngestFastPath
from agent.service.ingest import OverloadedError, RejectedError, StorageError
from agent.service.state import Service, ServiceOptions

log = logging.getLogger(__name__)


def _error(status: int, message: str, field: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RejectedError)
    async def rejected(_: Request, exc: RejectedError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.field)

    @app.exception_handler(StorageError)
    async def storage(_: Request, exc: StorageError) -> JSONResponse:
        return _error(503, f"{exc}; retry later", None, {"Retry-After": "5"})

    @app.exception_handler(OverloadedError)
    async def overloaded(_: Request, exc: OverloadedError) -> JSONResponse:
        return _error(503, str(exc), None, {"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict):
            detail = exc.detail
            return _error(exc.status_code, str(detail.get("error")), detail.get("field"),
                          exc.headers)
        return _error(exc.status_code, str(exc.detail), None, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p != "body"]
        field = ".".join(loc) or "body"
        return _error(422, f"invalid input: {field}: {first.get('msg', 'invalid')}", field)


class _CountRequests:
    """Counts requests by route and status (a pure ASGI middleware: no extra task or copy of
    the body per request, unlike `BaseHTTPMiddleware`)."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.service.metrics.http_requests.inc(route=path, status=str(status))
            if status >= 500:
                log.warning("server error", extra={
                    "path": path, "status": status,
                    "ms": round(1000 * (time.perf_counter() - started), 1)})


def _warm(service: Service) -> None:
    """Load the knowledge base, then freeze what startup loaded (when the options say so)."""
    service.pipeline.warm()
    if service.options.freeze_heap:
        freeze_heap()


def create_app(settings: Settings, config: OrgConfig, pipeline: Pipeline | None = None, *,
               options: ServiceOptions | None = None) -> FastAPI:
    """Build the HTTP service over a pipeline (built from settings when not given)."""
    if pipeline is None:
        from agent.wiring import open_pipeline

        pipeline = open_pipeline(settings, config)
    options = options or ServiceOptions(max_body_bytes=settings.max_body_bytes)
    service = Service.build(settings, config, pipeline, options)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ticker = routes_incidents.Ticker(service)
        if service.options.gil_switch_s:  # the event loop waits at most this long for the GIL
            sys.setswitchinterval(service.options.gil_switch_s)  # a deciding thread holds
        if service.committer is not None:
            service.committer.start()
        if service.options.background and service.options.decide:
            service.worker.start(resume=True)
            # after the worker started (recovery first), load the KB so that the first
            # decision, maybe mid-storm, does not import and open Chroma (~1 s CPU) itself
            threading.Thread(target=_warm, args=(service,), name="kb-warm", daemon=True).start()
            ticker.start()
            tickets_hook.start(app)
        elif service.options.freeze_heap:
            freeze_heap()
        log.info("service started", extra={"worker": service.worker.worker_id,
                                           "slack": service.slack_enabled})
        try:
            yield
        finally:
            ticker.stop()
            tickets_hook.stop(app)
            if service.committer is not None:
                service.committer.stop()  # what was acked is committed already; flush the rest
            service.worker.stop()

    app = FastAPI(title="Triage", version=version(), lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # /docs is rendered offline (routes_docs)
                  description="Event vs alert vs incident, priority, noise reduction, routing.")
    app.state.service = service
    routes_incidents.install_metrics(service)
    app.state.auth = Authenticator(settings, config.auth,
                                   insecure=service.options.insecure_no_auth)
    _install_handlers(app)
    app.add_middleware(_CountRequests, service=service)
    build = app.build_middleware_stack  # the ack path sits in front of FastAPI's whole stack
    app.build_middleware_stack = lambda: IngestFastPath(  # type: ignore[method-assign]
        build(), service, app.state.auth)
    app.include_router(routes_webhooks.router)
    app.include_router(routes_tickets.router)
    app.include_router(routes_pagerduty.router)
    app.include_router(routes_api.router)
    app.include_router(routes_incidents.router)
    app.include_router(routes_ops.router)
    app.include_router(routes_docs.router)
    app.include_router(routes_ops.maintenance)
    tickets_hook.mount(app, service)
    if slack_hook.slack_configured(service):
        slack_hook.mount(app, service)
    return app
