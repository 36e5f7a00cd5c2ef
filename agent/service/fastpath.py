"""The ack path of the main receivers as a plain ASGI layer in front of the FastAPI app.

`POST /v1/webhooks/alertmanager`, `/v1/webhooks/grafana`, `/v1/events` and `/v1/tickets` are
answered here, with the same credentials, scopes, limits, status codes and bodies as their
FastAPI routes (which stay declared for the OpenAPI document and answer when this layer is
off: `ServiceOptions.fast_ingest`). Only the work a 202 needs is done per request: check the
credential, read the capped body, parse and validate, append through the group committer,
answer. FastAPI's dependency solving, validation and response models cost about as much as
all of that together, and the paging path must never be the slow part.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.service.auth import INSECURE, Authenticator, Principal
from agent.service.deps import NO_CREDENTIALS
from agent.service.ingest import OverloadedError, RejectedError, StorageError
from agent.service.state import Service

log = logging.getLogger(__name__)
ROUTES = {"/v1/webhooks/alertmanager": "alertmanager", "/v1/webhooks/grafana": "grafana",
          "/v1/events": "auto", "/v1/tickets": "ticket"}
CHALLENGE = 'Bearer realm="triage", Basic realm="triage"'
IDEMPOTENCY_MAX = 200  # as the FastAPI routes declare the header


class _Refusal(Exception):
    def __init__(self, status: int, error: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.field, self.headers = status, error, field, headers or {}


class IngestFastPath:
    """ASGI middleware: the ingest routes above, everything else to the wrapped app."""

    def __init__(self, app: ASGIApp, service: Service, auth: Authenticator) -> None:
        self.app, self.service, self.auth = app, service, auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        fmt = ROUTES.get(path)
        if fmt is None or scope["method"] != "POST" or not self.service.options.fast_ingest:
            await self.app(scope, receive, send)
            return
        status = 500
        try:
            status, body, headers = await self._handle(scope, receive, path, fmt)
        except _Refusal as exc:
            status, headers = exc.status, exc.headers
            body = json.dumps({"error": exc.error, "field": exc.field}).encode()
        except Exception:  # in front of FastAPI's error middleware: answer 500 ourselves
            log.exception("ingest failed", extra={"path": path})
            status, headers = 500, {}
            body = b'{"error": "internal error; retry later", "field": null}'
        finally:
            self.service.metrics.http_requests.inc(route=path, status=str(status))
        raw = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, receive: Receive, path: str, fmt: str
                      ) -> tuple[int, bytes, dict[str, str]]:
        headers = Headers(scope=scope)
        principal = self._principal(headers)
        signed = principal is None and self.auth.signs(headers)
        if principal is None and not signed:
            raise self._unauthorized()
        ingestor = self.service.ingestor
        limit = self.service.options.max_body_bytes
        declared = headers.get("content-length")
        if not signed and declared and declared.isdigit() and int(declared) > limit:
            raise self._rejected(ingestor.reject(path, 413, f"body larger than {limit} bytes",
                                                 b"", "payload", size=int(declared)))
        body = await self._read(receive, path, limit, keep_head=not signed)
        if signed:
            principal = self.auth.from_signature(headers, body)
            if principal is None:
                raise self._unauthorized()
        assert principal is not None
        if not principal.allows("ingest"):
            self.service.metrics.rejected.inc(route="auth", status="403")
            raise _Refusal(403, f"credential {principal.name!r} lacks the ingest scope")
        key = headers.get("idempotency-key")
        if key is not None and len(key) > IDEMPOTENCY_MAX:
            raise _Refusal(422, "invalid input: header.Idempotency-Key: String should have at "
                           f"most {IDEMPOTENCY_MAX} characters", "header.Idempotency-Key")
        if not body.strip():
            raise self._rejected(ingestor.reject(path, 400, "invalid input: payload: empty "
                                                 "body", body, "payload"))
        route = path
        if path == "/v1/events":
            fmt = self._format(scope, body)
            route = f"/v1/events?format={fmt}"
        try:
            accepted = await ingestor.ingest_async(route, body, fmt, key)
        except RejectedError as exc:
            raise self._rejected(exc) from None
        except OverloadedError as exc:
            raise _Refusal(503, str(exc), None, {"Retry-After": str(exc.retry_after_s)}) from None
        except StorageError as exc:
            raise _Refusal(503, f"{exc}; retry later", None, {"Retry-After": "5"}) from None
        out = json.dumps({"signal_ids": accepted.signal_ids, "redelivery": accepted.redelivery})
        return 202, out.encode(), {}

    def _unauthorized(self) -> _Refusal:
        self.service.metrics.rejected.inc(route="auth", status="401")
        return _Refusal(401, "missing or wrong credentials" if self.auth.configured()
                        else NO_CREDENTIALS, None, {"WWW-Authenticate": CHALLENGE})

    def _principal(self, headers: Headers) -> Principal | None:
        if self.auth.insecure:
            return INSECURE
        return self.auth.from_authorization(headers.get("authorization"))

    async def _read(self, receive: Receive, path: str, limit: int, keep_head: bool) -> bytes:
        """The body, refused with 413 beyond `limit` (an unverified signed body is not kept)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Refusal(400, "invalid input: payload: client disconnected", "payload")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise self._rejected(self.service.ingestor.reject(
                    path, 413, f"body larger than {limit} bytes",
                    b"".join(chunks) if keep_head else b"", "payload", size=size))
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _format(self, scope: Scope, body: bytes) -> str:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        fmt = (query.get("format") or ["auto"])[-1]
        formats = self.service.pipeline.formats
        if fmt not in formats:
            raise self._rejected(self.service.ingestor.reject(
                "/v1/events", 400, f"invalid input: format: unknown format {fmt[:40]!r}; "
                f"expected one of {', '.join(formats)}", body, "format"))
        return fmt

    @staticmethod
    def _rejected(exc: RejectedError) -> _Refusal:
        return _Refusal(exc.status, exc.message, exc.field)
