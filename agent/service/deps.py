"""FastAPI dependencies: the service, the pipeline, the token check and the size-capped body."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from agent.pipeline import Pipeline
from agent.service.auth import token_ok
from agent.service.state import Service


def get_service(request: Request) -> Service:
    """The service built by `create_app` for this app."""
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]


def get_pipeline(service: ServiceDep) -> Pipeline:
    """The triage pipeline (tests inject one built on tmp_path)."""
    return service.pipeline


PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


def require_token(service: ServiceDep,
                  authorization: Annotated[str | None, Header()] = None) -> None:
    """401 unless the configured bearer token is presented (no token configured: open).

    Unauthenticated bodies are counted but not dead-lettered: anyone could fill the table.
    """
    if not token_ok(service.settings, authorization):
        service.metrics.rejected.inc(route="auth", status="401")
        raise HTTPException(status_code=401, detail="missing or wrong bearer token",
                            headers={"WWW-Authenticate": 'Bearer realm="triage"'})


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
    async for chunk in request.stream():
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
