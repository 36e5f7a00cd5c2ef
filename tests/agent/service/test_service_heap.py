"""`triage serve` freezes what start-up loaded, so later collections skip it (kernel/heap.py)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.kernel.heap import freeze_heap, thaw_heap


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """Each test starts and ends with nothing frozen (the freeze is process-wide)."""
    thaw_heap()
    yield
    thaw_heap()


def test_freeze_moves_the_survivors_out_of_the_collectors_reach() -> None:
    kept = [{"n": i} for i in range(1000)]  # alive across the freeze
    frozen = freeze_heap()
    assert frozen == gc.get_freeze_count() >= len(kept)
    thaw_heap()
    assert gc.get_freeze_count() == 0


def test_an_ingest_only_service_freezes_at_start(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(decide=False, freeze_heap=True)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0


def test_a_deciding_service_freezes_after_the_kb_warm_up(
        make_app: Callable[..., FastAPI]) -> None:
    app = make_app(freeze_heap=True)
    with TestClient(app):
        deadline = time.monotonic() + 30
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gc.get_freeze_count() > 0


def test_off_by_default_for_embedders(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(decide=False)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
