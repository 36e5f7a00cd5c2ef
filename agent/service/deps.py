"""FastAPI dependencies: the service, the pipeline, the caller (auth + scope), the capped body."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from agent.pipeline import Pipeline
from agent.service.auth import INSECURE, Authenticator, Principal
from agent.service.state import Service


def get_service(request: Request) -> Service:
    """The service built by `create_app` for this app."""
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_pipeline(service: ServiceDep) -> Pipeline:
    """The triage pipeline (tests inject one built on tmp_path)."""
    return service.pipeline


PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


NO_CREDENTIALS = ("authentication required: this service has no credentials configured "
                  "(set TRIAGE_WEBHOOK_TOKEN or auth.tokens/basic/hmac in the config), or start "
                  "it with --insecure-no-auth on loopback")


def get_auth(request: Request) -> Authenticator:
    """The authenticator built by `create_app`."""
    return request.app.state.auth


def needed_scope(request: Request) -> str:
    """The scope a route needs: ingest for ingest routes, read for GET, admin for writes."""
    route = request.scope.get("route")
    if "ingest" in (getattr(route, "tags", None) or []):
        return "ingest"
    return "read" if request.method in ("GET", "HEAD") else "admin"


def _unauthorized(service: Service, reason: str) -> HTTPException:
    service.metrics.rejected.inc(route="auth", status="401")
    challenge = 'Bearer realm="triage", Basic realm="triage"'
    return HTTPException(status_code=401, detail=reason,
                         headers={"WWW-Authenticate": challenge})


async def require_token(request: Request, service: ServiceDep) -> Principal:
    """The caller, with the route's scope; 401 without a valid credential, 403 without scope.

    Unauthenticated bodies are counted but not dead-lettered: anyone could fill the table.
    """
    auth = get_auth(request)
    if auth.insecure:
        principal = INSECURE
    else:
        principal = auth.from_authorization(request.headers.get("authorization"))
        if principal is None and auth.signs(request.headers):
            body = await _bounded_body(request, service)
            principal = auth.from_signature(request.headers, body)
        if principal is None:
            raise _unauthorized(service, "missing or wrong credentials" if auth.configured()
                                else NO_CREDENTIALS)
    scope = needed_scope(request)
    if not principal.allows(scope):
        service.metrics.rejected.inc(route="auth", status="403")
        raise HTTPException(status_code=403,
                            detail=f"credential {principal.name!r} lacks the {scope} scope")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(require_token)]


async def _bounded_body(request: Request, service: Service) -> bytes:
    """Read (and cache for `read_body`) the body for a signature check, within the size cap."""
    limit = service.options.max_body_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise service.ingestor.reject(request.url.path, 413,
                                          f"body larger than {limit} bytes", b"", "payload",
                                          size=size)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's stream() serves the cached body to later readers
    return body


async def read_body(request: Request, service: ServiceDep) -> bytes:
    """The request body, refused with 413 beyond `max_body_bytes` (checked while streaming)."""
    limit = service.options.max_body_bytes
    route = request.url.path
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise service.ingestor.reject(route, 413, f"body larger than {limit} bytes", b"",
                                      "payload", size=int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a body read for a signature check comes cached
        size += len(chunk)
        if size > limit:
            head = b"".join(chunks)
            raise service.ingestor.reject(route, 413, f"body larger than {limit} bytes", head,
                                          "payload", size=size)
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise service.ingestor.reject(route, 400, "invalid input: payload: empty body", body,
                                      "payload")
    return body


BodyDep = Annotated[bytes, Depends(read_body)]
