"""Ingest-only processes (`triage serve --no-decide`) and the deciders that take their signals."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from agent.kernel.db import open_db
from agent.service import Service
from agent.service import worker as worker_module
from agent.service.claims import ClaimBook
from agent.service.inbox import Inbox, add_rows, new_owner
from agent.store.signals import SignalStore
from tests.agent.service.conftest import AUTH, cpu_alert, serve_live

NEVER = 3600.0  # scans and orphan grace out of the way: only the inbox tail can deliver


def _post(url: str, n: int) -> list[str]:
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as c:
        return [c.post("/v1/webhooks/alertmanager",
                       json=cpu_alert(fp=f"split{i}", starts=f"2026-12-01T09:{10 + i:02d}:00Z")
                       ).json()["signal_ids"][0] for i in range(n)]


def _wait_decided(service: Service, ids: list[str], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(service.pipeline.decision(i) is not None for i in ids):
            return True
        time.sleep(0.05)
    return False


def test_an_ingest_only_process_stores_and_a_decider_decides(
        make_app: Callable[..., FastAPI]) -> None:
    ingest = make_app(decide=False)
    decider = make_app(scan_interval_s=NEVER, orphan_grace_s=NEVER, tail_inbox_s=0.05)
    inbound: Service = ingest.state.service
    seen: list[str] = []
    decider.state.service.worker.add_listener(lambda d: seen.append(d.signal_id))
    with serve_live(ingest) as url:
        ids = _post(url, 3)
        assert inbound.worker.backlog == 0  # nothing queued in the ingest process
        assert all(inbound.pipeline.decision(i) is None for i in ids)
        assert inbound.worker.inbox is not None and inbound.worker.inbox.count() == 3
        ready = httpx.get(f"{url}/readyz", headers=AUTH, timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["worker"] == "disabled (ingest only)"
        time.sleep(0.3)  # the inbox count is re-read at most every 0.25 s
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        assert health["workers"] is None and health["backlog"] == 3  # waiting in the inbox
        with serve_live(decider):
            assert _wait_decided(decider.state.service, ids)
            assert decider.state.service.worker.wait_idle(10)
        assert sorted(seen) == sorted(ids)  # each decided once, by the decider
        assert inbound.worker.inbox.count() == 0
        claims = [inbound.claims.get(i) for i in ids]
        assert all(c is not None and c.state == "done" and
                   c.worker == decider.state.service.worker.worker_id for c in claims)


def test_waiting_rows_skip_own_and_claimed_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "inbox.db")
    SignalStore(open_db(db))  # the schema claims read (decisions)
    claims = ClaimBook(open_db(db))
    mine, other = new_owner(), new_owner()
    inbox = Inbox(open_db(db), mine)
    conn = open_db(db)
    add_rows(conn, [("s-own", 3)], mine)
    add_rows(conn, [("s-late", 3), ("s-urgent", 0), ("s-busy", 1)], other)
    conn.commit()
    assert claims.claim("s-busy", "w:elsewhere:1:x")
    assert inbox.waiting(10) == [("s-urgent", 0), ("s-late", 3)]  # by lane; busy, own left out
    claims.release("s-busy", "w:elsewhere:1:x", "boom", max_attempts=3)
    assert inbox.waiting(10) == [("s-urgent", 0), ("s-busy", 1), ("s-late", 3)]
    assert inbox.waiting(1) == [("s-urgent", 0)]


def test_a_busy_decider_still_takes_urgent_rows_first(make_app: Callable[..., FastAPI],
                                                      monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(worker_module, "SCAN_PAGE", 2)
    service: Service = make_app(background=False).state.service
    worker = service.worker
    conn = service.connect()
    other = new_owner()
    add_rows(conn, [("s-1", 3), ("s-2", 3), ("s-3", 3)], other)
    conn.commit()
    assert worker.take_waiting() == 2  # one page
    assert worker.queued_lanes() == [3, 3]
    assert worker.take_waiting() == 0  # a page in hand: nothing as urgent as what is queued
    add_rows(conn, [("s-urgent", 0)], other)
    conn.commit()
    assert worker.take_waiting() == 1  # but a more urgent lane is taken at once
    assert worker.queued_lanes() == [0, 3, 3]
