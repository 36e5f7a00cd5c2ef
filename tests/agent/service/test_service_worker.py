"""The decision worker: crash recovery, exactly-once across 'processes', stale claims, failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.kernel.decision import Decision
from agent.pipeline import Pipeline
from agent.service import Service
from agent.signals.parse import parse_payload
from tests.agent.service.conftest import AUTH, cpu_alert


def _store_undecided(pipe: Pipeline, count: int) -> list[str]:
    """Store alerts the way the receiver does, but never decide them (a crash after the 202)."""
    ids: list[str] = []
    for i in range(count):
        body = cpu_alert(fp=f"fp{i}", starts=f"2026-12-01T09:{10 + i:02d}:00Z")
        signals = parse_payload(body, "alertmanager", received_at=datetime.now(UTC),
                                new_id=pipe.new_id)
        ids += pipe.store.add_signals(signals, f"test:{i}")
    return ids


def test_undecided_signals_are_decided_after_restart(make_app: Callable[..., FastAPI]) -> None:
    crashed = make_app(background=False)
    with TestClient(crashed, headers=AUTH) as c:
        ids = [c.post("/v1/webhooks/alertmanager", json=cpu_alert(fp=f"fp{i}")).json()
               ["signal_ids"][0] for i in range(3)]
        assert all(c.get(f"/v1/signals/{i}").status_code == 202 for i in ids)
    restarted = make_app()  # a new process on the same database
    with TestClient(restarted, headers=AUTH) as c:
        assert restarted.state.service.worker.wait_idle(20)
        decided = [c.get(f"/v1/signals/{i}") for i in ids]
        assert [r.status_code for r in decided] == [200, 200, 200]
        assert decided[1].json()["noise"]["duplicate_of"] is None


def test_two_processes_never_decide_a_signal_twice(make_app: Callable[..., FastAPI],
                                                   make_pipeline: Callable[..., Pipeline]
                                                   ) -> None:
    ids = _store_undecided(make_pipeline(), 8)
    apps = [make_app(), make_app()]  # two services, each with its own pipeline and connections
    seen: list[tuple[str, str]] = []
    for app in apps:
        svc: Service = app.state.service
        svc.worker.add_listener(lambda d, w=svc.worker.worker_id: seen.append((w, d.signal_id)))
    with TestClient(apps[0]), TestClient(apps[1]):
        for app in apps:
            assert app.state.service.worker.wait_idle(30)
    assert sorted(s for _, s in seen) == sorted(ids)  # each decided exactly once
    claims = [apps[0].state.service.claims.get(i) for i in ids]
    assert all(c is not None and c.state == "done" and c.attempts == 1 for c in claims)


def test_stale_claims_are_taken_over_and_live_ones_are_not(
        make_app: Callable[..., FastAPI], make_pipeline: Callable[..., Pipeline]) -> None:
    dead, busy = _store_undecided(make_pipeline(), 2)
    app = make_app(background=False)
    svc: Service = app.state.service
    assert svc.claims.claim(dead, "w-died", now=time.time() - 3600)
    assert svc.claims.claim(busy, "w-alive")
    assert svc.claims.undecided() == [dead]
    assert svc.worker.process(busy) is None  # held by a live worker
    decision = svc.worker.process(dead)
    assert isinstance(decision, Decision) and decision.signal_id == dead
    claim = svc.claims.get(dead)
    assert claim is not None and claim.worker == svc.worker.worker_id and claim.attempts == 2
    assert svc.worker.process(dead) is None  # done: never decided again


def test_failing_decisions_are_retried_then_marked_failed(
        make_app: Callable[..., FastAPI]) -> None:
    app = make_app(background=False, max_attempts=2)
    svc: Service = app.state.service
    assert svc.worker.process("sig-missing") is None  # KeyError inside the pipeline
    first = svc.claims.get("sig-missing")
    assert first is not None and first.state == "retry" and "KeyError" in (first.error or "")
    assert svc.worker.process("sig-missing") is None
    second = svc.claims.get("sig-missing")
    assert second is not None and second.state == "failed" and second.attempts == 2
    assert svc.worker.process("sig-missing") is None  # failed stays failed
    assert svc.metrics.decision_errors.value() == 2
    assert svc.claims.reset("sig-missing") and svc.claims.get("sig-missing").state == "retry"


def test_scans_leave_fresh_unclaimed_signals_to_their_writer(
        make_app: Callable[..., FastAPI], make_pipeline: Callable[..., Pipeline]) -> None:
    # `triage run` on the same --home stores then decides without claiming: hands off for a while
    fresh = _store_undecided(make_pipeline(), 1)
    svc: Service = make_app(background=False, orphan_grace_s=30.0).state.service
    assert svc.claims.undecided() == []
    assert svc.claims.undecided(now=time.time() + 60) == fresh
    assert svc.worker.process(fresh[0]) is not None  # a direct submit is not a scan: decided


def test_the_worker_warms_the_next_queued_signal_while_it_decides_one(
        make_pipeline: Callable[..., Pipeline]) -> None:
    from agent.kernel.db import db_file, open_db
    from agent.service.claims import ClaimBook
    from agent.service.metrics import ServiceMetrics
    from agent.service.worker import DecisionWorker

    pipe = make_pipeline()
    ids = _store_undecided(pipe, 3)
    asked: list[tuple[list[str], bool]] = []
    real = pipe.look_ahead
    pipe.look_ahead = lambda upcoming: (  # type: ignore[method-assign]
        asked.append((upcoming, any(pipe.decision(i) for i in upcoming))) or real(upcoming))
    worker = DecisionWorker(pipe, ClaimBook(open_db(db_file(pipe.store.conn)), grace_s=0.0),
                            ServiceMetrics(), scan_interval_s=3600)
    worker.submit(ids)
    worker.start(resume=False)
    assert worker.wait_idle(30)
    worker.stop()
    # each next signal in the queue, asked for before it is decided; the last has no successor
    assert asked == [([ids[1]], False), ([ids[2]], False)]
    assert all(pipe.decision(i) is not None for i in ids)
    asked.clear()
    more = _store_undecided(pipe, 2)
    serial = DecisionWorker(pipe, ClaimBook(open_db(db_file(pipe.store.conn)), grace_s=0.0),
                            ServiceMetrics(), scan_interval_s=3600, look_ahead=False)
    serial.submit(more)
    serial.start(resume=False)
    assert serial.wait_idle(30)
    serial.stop()
    assert asked == [] and all(pipe.decision(i) is not None for i in more)
