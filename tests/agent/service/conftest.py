"""Service fixtures: a real pipeline on tmp_path SQLite and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.pipeline import Pipeline
from agent.service import Service, ServiceOptions, create_app
from agent.wiring import build_pipeline
from tests.support.payloads import am_body


def cpu_alert(fp: str = "cpu1", starts: str = "2026-12-01T09:15:00Z") -> dict[str, Any]:
    """A critical CPU alert on the tier-1 checkout service."""
    return am_body("HighCPU", {"service": "checkout-api", "severity": "critical",
                               "instance": "checkout-api-1"},
                   "CPU at 97% for 5 minutes on checkout-api-1", starts, fp)


TOKEN = "test-service-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}  # the service is closed by default


def settings_for(home: Path, token: str | None = TOKEN) -> Settings:
    """Settings for a test: state under `home`, no Slack, the given webhook token (or none)."""
    base = Settings(_env_file=None, TRIAGE_HOME=str(home))
    return base.model_copy(update={"webhook_token": SecretStr(token) if token else None,
                                   "slack_bot_token": None, "slack_signing_secret": None})


@dataclass
class Live:
    """A running service: its base URL, app and components."""

    url: str
    app: FastAPI
    service: Service

    def wait_idle(self, timeout: float = 20.0) -> None:
        """Wait until the decision worker has nothing left to do."""
        assert self.service.worker.wait_idle(timeout), "worker did not finish in time"


@contextmanager
def serve_live(app: FastAPI) -> Iterator[str]:
    """Run `app` on uvicorn in a thread on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def make_pipeline(demo_config: OrgConfig, tmp_path: Path) -> Callable[..., Pipeline]:
    """Build a real pipeline over the test database (call again for a 'second process')."""
    def build() -> Pipeline:
        return build_pipeline(config=demo_config, db_path=tmp_path / "t.db",
                              checkpointer="sqlite")
    return build


@pytest.fixture
def make_app(demo_config: OrgConfig, tmp_path: Path,
             make_pipeline: Callable[..., Pipeline]) -> Callable[..., FastAPI]:
    """create_app over a fresh pipeline on the shared tmp_path database."""
    def build(settings: Settings | None = None, **options: Any) -> FastAPI:
        options = {"scan_interval_s": 0.5, "retry_delay_s": 0.05, "orphan_grace_s": 0.0,
                   **options}
        opts = ServiceOptions(**options)
        return create_app(settings or settings_for(tmp_path), demo_config, make_pipeline(),
                          options=opts)
    return build


@pytest.fixture
def live(make_app: Callable[..., FastAPI]) -> Iterator[Live]:
    """A real uvicorn server over the real pipeline (token auth, the default body limit)."""
    app = make_app()
    with serve_live(app) as url:
        yield Live(url, app, app.state.service)


@pytest.fixture
def client(live: Live) -> Iterator[httpx.Client]:
    """An httpx client bound to the live server."""
    with httpx.Client(base_url=live.url, timeout=10, headers=AUTH) as c:
        yield c
