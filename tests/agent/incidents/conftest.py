"""Incident fixtures: a real pipeline on SQLite, a config with escalation, a webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.config.escalation import IncidentsSection
from agent.config.org import OrgConfig

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SLOW_CHECKOUT = {"title": "Checkout is failing", "reporter": "support@acme.example",
                 "body": "Customers report checkout fails: card payments error on every try.",
                 "created_at": "2026-12-01T09:00:00Z"}


class Receiver:
    """A local webhook receiver keeping the documented contract (docs/escalation-webhooks.md).

    `posts` is every POST that arrived (Idempotency-Key, body); `acted` holds the key of each
    page it acted on: a repeated key is answered 200 and not acted on again.
    """

    def __init__(self) -> None:
        self.posts: list[tuple[str | None, dict[str, Any]]] = []
        self.attempts: list[str | None] = []  # Triage-Delivery-Attempt of each POST
        self.acted: list[str] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []  # lower-cased headers, body bytes
        self.fail_next = 0
        self.delay_s = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                key = self.headers.get("Idempotency-Key") or self.headers.get("webhook-id")
                with receiver._lock:
                    receiver.raw.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                    receiver.posts.append((key, json.loads(raw)))
                    receiver.attempts.append(self.headers.get("Triage-Delivery-Attempt"))
                    if key is None or key not in receiver.acted:
                        receiver.acted.append(key or f"unkeyed-{len(receiver.posts)}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """The endpoint URL."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/page"

    def keys(self) -> list[str | None]:
        """Idempotency keys received, in order."""
        return [k for k, _ in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1."""
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def with_escalation(config: OrgConfig, url: str, **extra: Any) -> OrgConfig:
    """The demo config plus a payments policy: webhook L1 (5m), L2 (10m), one repeat."""
    section = IncidentsSection.model_validate({
        "escalation": [{"name": "payments", "team": "payments", "repeat": 1, "levels": [
            {"targets": [{"webhook": f"{url}?level=1"}], "timeout": "5m"},
            {"targets": [{"webhook": f"{url}?level=2"}], "timeout": "10m"}]}],
        **extra})
    return config.model_copy(update={"incidents": section})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The test database path."""
    return tmp_path / "triage.db"
