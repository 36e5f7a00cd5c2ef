"""The ack path: group commit, load shedding (503 + Retry-After), caps, lanes, fast-path parity.

Real components: the pipeline on tmp_path SQLite, the FastAPI app over a real uvicorn server
or TestClient, the real group committer and decision worker.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.config.ingest import IngestSection
from agent.config.org import OrgConfig
from agent.pipeline import Pipeline
from agent.service import ServiceOptions, create_app
from tests.agent.service.conftest import AUTH, serve_live, settings_for
from tests.support.payloads import am_body

AM = "/v1/webhooks/alertmanager"


def alert(i: int, severity: str = "warning", name: str = "HighMemory",
          service: str = "search-api") -> dict[str, Any]:
    """A distinct single-alert Alertmanager body."""
    return am_body(name, {"service": service, "severity": severity, "instance": f"i-{i}"},
                   f"memory at 91% on i-{i}", "2026-12-01T09:15:00Z", f"fp-{name}-{i}")


@pytest.fixture
def build_app(demo_config: OrgConfig, tmp_path: Path,
              make_pipeline: Callable[..., Pipeline]) -> Callable[..., FastAPI]:
    """An app whose `ingest` section and service options a test chooses."""
    def build(ingest: IngestSection | None = None, **options: Any) -> FastAPI:
        config = demo_config.model_copy(update={"ingest": ingest or IngestSection()})
        opts = ServiceOptions(**{"scan_interval_s": 0.5, "orphan_grace_s": 0.0, **options})
        return create_app(settings_for(tmp_path), config, make_pipeline(), options=opts)
    return build


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_concurrent_posts_share_group_commits_and_are_durable_before_202(
        build_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    app = build_app(background=False)
    service = app.state.service
    with serve_live(app) as url, httpx.Client(base_url=url, headers=AUTH, timeout=20) as c:
        bodies = [alert(i) for i in range(120)] + [alert(7)]  # one redelivery among them

        def post(body: dict[str, Any]) -> httpx.Response:
            return c.post(AM, content=json.dumps(body))

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(post, bodies))
        assert {r.status_code for r in answers} == {202}
        ids = [r.json()["signal_ids"][0] for r in answers]
        # every acked id is on disk, read by another connection
        stored = {r[0] for r in _rows(tmp_path / "t.db", "SELECT signal_id FROM signals")}
        assert set(ids) <= stored and len(set(ids)) == 120
        assert ids[-1] == ids[7] and answers[-1].json()["redelivery"] is True
    committer = service.committer
    assert committer.payloads == 121
    assert committer.batches < committer.payloads  # requests shared transactions (fsyncs)


def test_full_backlog_answers_503_with_retry_after_and_keeps_room_for_urgent(
        build_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    limits = IngestSection(max_backlog=3, urgent_headroom=2, retry_after_s=7)
    app = build_app(limits, background=False)  # nothing drains: the backlog only grows
    with TestClient(app, headers=AUTH) as c:
        assert [c.post(AM, json=alert(i)).status_code for i in range(3)] == [202] * 3
        shed = c.post(AM, json=alert(3))
        assert shed.status_code == 503 and shed.headers["Retry-After"] == "7"
        assert "backlog full" in shed.json()["error"]
        # an incident-class signal (critical, a new group) still fits in the headroom ...
        urgent = c.post(AM, json=alert(4, "critical", "HighErrorRate", "checkout-api"))
        assert urgent.status_code == 202
        # ... a critical member of a group already held does not (a storm's own criticals)
        member = c.post(AM, json=alert(5, "critical", "HighErrorRate", "checkout-api"))
        assert member.status_code == 503
        other = c.post(AM, json=alert(6, "critical", "HighLatency", "checkout-api"))
        assert other.status_code == 202
        full = c.post(AM, json=alert(7, "critical", "DiskFull", "orders-db"))
        assert full.status_code == 503 and full.headers["Retry-After"] == "7"
        metrics = c.get("/metrics").text
    assert 'triage_shed_total{route="/v1/webhooks/alertmanager"} 3' in metrics
    stored = _rows(tmp_path / "t.db", "SELECT COUNT(*) FROM signals")[0][0]
    assert stored == 5  # shed bodies were never stored


def test_an_ingest_only_process_sheds_on_the_shared_inbox(
        build_app: Callable[..., FastAPI]) -> None:
    app = build_app(IngestSection(max_backlog=2, urgent_headroom=0, retry_after_s=5),
                    decide=False)  # no worker here: the backlog is the inbox every process sees
    with TestClient(app, headers=AUTH) as c:
        assert [c.post(AM, json=alert(i)).status_code for i in range(2)] == [202, 202]
        time.sleep(0.3)  # the inbox count is re-read at most every 0.25 s
        shed = c.post(AM, json=alert(2))
        assert shed.status_code == 503 and shed.headers["Retry-After"] == "5"
        assert "backlog full (2 " in shed.json()["error"]


def test_backlog_drains_and_the_sender_retry_is_then_accepted(
        build_app: Callable[..., FastAPI]) -> None:
    app = build_app(IngestSection(max_backlog=2, urgent_headroom=0), background=False)
    service = app.state.service
    with TestClient(app, headers=AUTH) as c:
        for i in range(2):
            assert c.post(AM, json=alert(i)).status_code == 202
        assert c.post(AM, json=alert(2)).status_code == 503
        service.worker.start(resume=False)
        assert service.worker.wait_idle(60)
        service.worker.stop()
        retried = c.post(AM, json=alert(2))
        assert retried.status_code == 202
        assert c.get(f"/v1/signals/{c.post(AM, json=alert(0)).json()['signal_ids'][0]}"
                     ).status_code == 200


def test_too_many_alerts_in_one_body_is_413_naming_the_cap(
        build_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    app = build_app(IngestSection(max_alerts_per_body=5), background=False)
    body = alert(0)
    body["alerts"] = [dict(body["alerts"][0], fingerprint=f"fp{i}",
                           labels={"alertname": "X", "instance": f"i{i}"}) for i in range(6)]
    with TestClient(app, headers=AUTH) as c:
        refused = c.post(AM, json=body)
        assert refused.status_code == 413
        assert refused.json()["field"] == "payload"
        assert "at most 5" in refused.json()["error"]
        body["alerts"] = body["alerts"][:5]
        assert c.post(AM, json=body).status_code == 202
    assert _rows(tmp_path / "t.db", "SELECT COUNT(*) FROM signals")[0][0] == 5


def test_lanes_put_new_urgent_groups_before_members_and_repeats(
        build_app: Callable[..., FastAPI]) -> None:
    app = build_app(background=False)
    worker = app.state.service.worker
    with TestClient(app, headers=AUTH) as c:
        for i in range(3):  # a storm: one group, many members
            c.post(AM, json=alert(i))
        repeat = alert(1)
        repeat["receiver"] = "other"  # another delivery of a known alert (same dedup key)
        c.post(AM, json=repeat)
        c.post(AM, json=alert(9, "critical", "HighErrorRate", "checkout-api"))  # incident class
        c.post(AM, json=alert(9, "warning", "DiskFull", "orders-db"))  # another new group
    # urgent new group, new groups, members, repeats last
    assert worker.queued_lanes() == [0, 1, 1, 3, 3, 4]


@pytest.mark.parametrize("case", ["ok", "no-auth", "empty", "bad-json", "bad-format",
                                  "long-key", "too-large"])
def test_fast_path_answers_exactly_as_the_fastapi_routes(
        case: str, build_app: Callable[..., FastAPI]) -> None:
    def answer(fast: bool) -> tuple[int, Any, str | None]:
        app = build_app(background=False, fast_ingest=fast, max_body_bytes=4096)
        headers = dict(AUTH)
        path, content = AM, json.dumps(alert(1 if fast else 2))  # one database: no redelivery
        if case == "no-auth":
            headers = {}
        elif case == "empty":
            content = "  "
        elif case == "bad-json":
            content = '{"alerts": ['
        elif case == "bad-format":
            path = "/v1/events?format=nope"
        elif case == "long-key":
            headers["Idempotency-Key"] = "k" * 201
        elif case == "too-large":
            content = json.dumps(alert(1)) + " " * 5000
        with TestClient(app) as c:
            r = c.post(path, content=content, headers=headers)
        body = r.json()
        if case == "ok":
            body = {"n": len(body["signal_ids"]), "redelivery": body["redelivery"]}
        return r.status_code, body, r.headers.get("www-authenticate")

    assert answer(True) == answer(False)


def test_restart_adopts_the_inbox_and_claims_of_a_dead_process(
        build_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    import socket
    import subprocess

    from agent.service.inbox import Inbox

    first = build_app(background=False)
    with TestClient(first, headers=AUTH) as c:
        ids = [c.post(AM, json=alert(i)).json()["signal_ids"][0] for i in range(3)]
    db = tmp_path / "t.db"
    gone = subprocess.Popen(["true"])  # a process that ran and is gone (reaped)
    gone.wait()
    dead = f"w:{socket.gethostname()}:{gone.pid}:dead"
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("UPDATE service_inbox SET owner = ?", (dead,))
    # in progress when it died, lease far from over
    conn.execute("INSERT INTO service_claims (signal_id, worker, claimed_at, attempts, state, "
                 "host, pid) VALUES (?, ?, ?, 1, 'claimed', ?, ?)",
                 (ids[0], dead, 9e12, socket.gethostname(), gone.pid))
    conn.close()
    second = build_app(background=False)
    inbox: Inbox = second.state.service.worker.inbox
    assert sorted(sid for sid, _ in inbox.adopt()) == sorted(ids)
    worker = second.state.service.worker
    worker.submit(ids)
    for sid in ids:
        assert worker.process(sid) is not None  # the dead claim was released for retry
    assert inbox.count() == 0
