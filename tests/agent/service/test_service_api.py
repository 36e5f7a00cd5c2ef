"""API reads and operator actions: signal state, open incidents, resolve, maintenance windows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.config.org import OrgConfig
from agent.service import ServiceOptions, create_app
from agent.wiring import build_pipeline
from tests.agent.service.conftest import AUTH, Live, am_body, cpu_alert, settings_for

SLOW_CHECKOUT = {"title": "Checkout is slow", "reporter": "support@acme.example",
                 "body": "Customers report checkout is very slow and payments time out.",
                 "created_at": "2026-12-01T09:22:00Z"}


def test_unknown_signal_is_404_and_undecided_is_pending(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(background=False)  # no worker: signals stay stored but undecided
    with TestClient(app, headers=AUTH) as c:
        assert c.get("/v1/signals/sig-nope").status_code == 404
        ids = c.post("/v1/webhooks/alertmanager", json=cpu_alert()).json()["signal_ids"]
        pending = c.get(f"/v1/signals/{ids[0]}")
        assert pending.status_code == 202
        assert pending.json() == {"signal_id": ids[0], "state": "pending", "error": None,
                                  "attempts": 0}
        app.state.service.worker.process(ids[0])  # decide it in this thread
        assert c.get(f"/v1/signals/{ids[0]}").json()["kind"] == "alert"


def test_incidents_lists_the_group_with_its_signals(live: Live, client: httpx.Client) -> None:
    alert_ids = client.post("/v1/webhooks/alertmanager", json=cpu_alert()).json()["signal_ids"]
    ticket_ids = client.post("/v1/tickets", json=SLOW_CHECKOUT).json()["signal_ids"]
    live.wait_idle()
    incidents = client.get("/v1/incidents").json()["incidents"]
    assert len(incidents) == 1
    group = incidents[0]
    assert group["kind"] == "incident" and group["service"] == "checkout-api"
    assert group["priority"] in {"P1", "P2"} and group["status"] == "open"
    assert set(group["signal_ids"]) == {alert_ids[0], ticket_ids[0]}
    assert [d["kind"] for d in group["signals"]] == ["alert", "incident"]
    assert any("escalated" in t["entry"] for t in group["timeline"])


def test_resolve_closes_the_incident_until_new_activity(live: Live, client: httpx.Client) -> None:
    client.post("/v1/webhooks/alertmanager", json=cpu_alert())
    ticket = client.post("/v1/tickets", json=SLOW_CHECKOUT).json()["signal_ids"][0]
    live.wait_idle()
    assert client.post("/v1/signals/sig-nope/resolve", json={}).status_code == 404
    done = client.post(f"/v1/signals/{ticket}/resolve",
                       json={"fix": "rolled back the checkout deploy", "author": "U024BE7LH"})
    assert done.status_code == 200
    out = done.json()
    assert out["resolved"] is True and out["group_id"]
    assert out["learning"] is None and "knowledge base" in out["learning_error"]
    assert client.get("/v1/incidents").json()["incidents"] == []
    later = dict(SLOW_CHECKOUT, created_at="2026-12-01T09:40:00Z",
                 body="Customers still cannot pay at checkout, errors on every attempt.")
    client.post("/v1/tickets", json=later)
    live.wait_idle()
    reopened = client.get("/v1/incidents").json()["incidents"]
    assert len(reopened) == 1 and reopened[0]["group_id"] == out["group_id"]


def test_runtime_maintenance_window_suppresses_later_alerts(live: Live,
                                                            client: httpx.Client) -> None:
    bad = client.post("/v1/maintenance", json={"matchers": ["not a matcher"], "duration": "1h"})
    assert bad.status_code == 422 and bad.json()["field"] == "matchers"
    no_end = client.post("/v1/maintenance", json={"matchers": {"service": "orders-db"}})
    assert no_end.status_code == 422 and no_end.json()["field"] == "end"
    typo = client.post("/v1/maintenance", json={"matcher": {"service": "orders-db"}})
    assert typo.status_code == 422 and "matcher" in typo.json()["field"]
    made = client.post("/v1/maintenance", json={
        "matchers": {"service": "search-api"}, "start": "2026-12-02T01:00:00Z",
        "duration": "2h", "reason": "reindex", "created_by": "ops"})
    assert made.status_code == 201
    window = made.json()
    assert window["end"] == "2026-12-02T03:00:00Z" and window["matchers"] == [
        'service="search-api"']
    assert [w["id"] for w in client.get("/v1/maintenance").json()] == [window["id"]]
    body = am_body("SearchDown", {"service": "search-api", "severity": "critical"},
                   "search-api is down", "2026-12-02T01:30:00Z", "s1")
    sid = client.post("/v1/webhooks/alertmanager", json=body).json()["signal_ids"][0]
    live.wait_idle()
    decision = client.get(f"/v1/signals/{sid}").json()
    assert (decision["kind"], decision["event_type"]) == ("event", "maintenance")
    assert "reindex" in decision["noise"]["suppressed_by"]
    assert live.service.metrics.suppressed.value() == 1
    gone = client.delete(f"/v1/maintenance/{window['id']}")
    assert gone.status_code == 200
    assert client.delete("/v1/maintenance/mw-nope").status_code == 404


def test_healthz_reports_database_and_worker(live: Live, client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["db"] == "ok" and health["workers"] == 1


def test_resolve_with_a_fix_quarantines_a_learning(demo_config: OrgConfig, tmp_path: Path) -> None:
    from knowledge.base import KnowledgeBase
    from knowledge.learnings import LearningStore

    kb = KnowledgeBase.open(tmp_path / "kb")
    pipe = build_pipeline(config=demo_config, db_path=tmp_path / "t.db", checkpointer="sqlite",
                          retriever=kb)
    import hashlib

    from agent.config.auth import AuthSection, TokenCredential

    secret = "token-of-U024BE7LH-0123456789"
    config = demo_config.model_copy(update={"auth": AuthSection(tokens=[TokenCredential(
        name="U024BE7LH", token_sha256=hashlib.sha256(secret.encode()).hexdigest(),
        scopes=["ingest", "read", "admin"], team="payments")])})
    app = create_app(settings_for(tmp_path, token=None), config, pipe,
                     options=ServiceOptions(scan_interval_s=0.5))
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as c:
        sid = c.post("/v1/tickets", json=SLOW_CHECKOUT).json()["signal_ids"][0]
        assert app.state.service.worker.wait_idle(20)
        out = c.post(f"/v1/signals/{sid}/resolve", json={
            "fix": "rolled back checkout-api 2.4.1", "runbook": "checkout/slow.md",
            "author": "U0FORGED01"}).json()  # the body's author is ignored: the token's name
    assert out["resolved"] and out["learning_error"] is None
    learning = out["learning"]
    assert learning["status"] == "quarantined" and learning["id"].startswith("L-")
    stored = LearningStore(kb).get(learning["id"])
    assert stored is not None and stored.signal_ids == [sid] and stored.author == "U024BE7LH"
    assert "checkout-api" in stored.decision and stored.fix == "rolled back checkout-api 2.4.1"
