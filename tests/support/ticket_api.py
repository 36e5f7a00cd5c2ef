"""The shared machinery of the ticket-system stand-ins (real HTTP, stdlib server in a thread).

Each stand-in registers routes `(method, path regex) → handler(req) → (status, body, headers)`
that speak its vendor's documented REST shapes. Every request is recorded. Authentication is
checked on every call (basic user/password or a bearer token, as configured). Faults are
scripted: `fail(method, path_regex, status, times=, headers=, body=, after=False)` answers
that status instead of handling the call, or, with `after=True`, handles it first and then
answers the error (the call took effect but the client never heard: a lost response);
`hang(method, path_regex, seconds)` handles the call and then stalls past the client's timeout.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def bump(stamp: str | None, fmt: str) -> str:
    """One minute after `stamp` in the vendor's format (records change when written to)."""
    from datetime import UTC, datetime, timedelta

    from agent.signals.formats.common import parse_time

    moment = parse_time(stamp, "updated") if stamp else None
    moment = (moment or datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) + timedelta(minutes=1)
    return moment.strftime(fmt)


@dataclass
class Request:
    """One received request."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


Reply = tuple[int, Any, dict[str, str]]
Handler = Callable[[Request, re.Match[str]], Reply]


@dataclass
class Fault:
    """A scripted failure for matching calls."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    after: bool = False
    hang_s: float = 0.0


class TicketApiStandIn:
    """Base stand-in: routes, auth, faults, request log; start() / stop() / base_url."""

    auth_error: Any = {"message": "Unauthorized"}

    def __init__(self, *, user: str | None = "triage", password: str | None = "s3cret",
                 token: str | None = None) -> None:
        self.user, self.password, self.token = user, password, token
        self.requests: list[Request] = []
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # ---- scripting ---------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a handler for a method and a full-match path regex."""
        self.routes.append((method, re.compile(pattern), handler))

    def fail(self, method: str, pattern: str, status: int, *, times: int = 1,
             headers: dict[str, str] | None = None, body: Any = None, after: bool = False
             ) -> None:
        """Answer `status` to the next `times` matching calls."""
        with self.lock:
            self.faults.append(Fault(method, re.compile(pattern), status, times, headers or {},
                                     body, after))

    def hang(self, method: str, pattern: str, seconds: float, times: int = 1) -> None:
        """Handle the next matching calls, then stall `seconds` before answering."""
        with self.lock:
            self.faults.append(Fault(method, re.compile(pattern), 200, times, hang_s=seconds,
                                     after=True))

    def calls(self, method: str | None = None, pattern: str | None = None) -> list[Request]:
        """Recorded requests, filtered by method and path regex."""
        regex = re.compile(pattern) if pattern else None
        with self.lock:
            return [r for r in self.requests if (method is None or r.method == method)
                    and (regex is None or regex.fullmatch(r.path))]

    # ---- serving -----------------------------------------------------------------------------
    def _authorized(self, headers: dict[str, str]) -> bool:
        given = headers.get("authorization", "")
        if self.token and given == f"Bearer {self.token}":
            return True
        if self.user is not None and given.startswith("Basic "):
            pair = base64.b64decode(given[6:]).decode()
            return pair == f"{self.user}:{self.password}"
        return False

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.pattern.fullmatch(path):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, req: Request) -> Reply:
        """Auth, faults, then the route."""
        with self.lock:
            self.requests.append(req)
        if not self._authorized(req.headers):
            return 401, self.auth_error, {"WWW-Authenticate": 'Basic realm="stand-in"'}
        fault = self._fault(req.method, req.path)
        if fault is not None and not fault.after:
            return fault.status, fault.body, fault.headers
        for method, pattern, handler in self.routes:
            if method == req.method and (match := pattern.fullmatch(req.path)):
                with self.lock:
                    reply = handler(req, match)
                if fault is not None:
                    time.sleep(fault.hang_s)
                    if fault.hang_s:
                        return reply
                    return fault.status, fault.body, fault.headers
                return reply
        return 404, {"error": f"no route {req.method} {req.path}"}, {}

    def start(self) -> TicketApiStandIn:
        """Serve on a free loopback port in a daemon thread."""
        stand_in = self

        class Http(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, data, extra = stand_in.handle(Request(self.command, url.path, query,
                                                              body, headers))
                blob = b"" if data is None else json.dumps(data).encode()
                try:
                    self.send_response(status)
                    if blob:
                        self.send_header("Content-Type", "application/json")
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(blob)))
                    self.end_headers()
                    self.wfile.write(blob)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Http)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TicketApiStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
