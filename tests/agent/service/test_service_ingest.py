"""Receivers over real HTTP (uvicorn on 127.0.0.1): 202 after storage, redelivery, 4xx, 413, 503."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fastapi import FastAPI

from agent.kernel.packing import stored_json
from tests.agent.service.conftest import AUTH, Live, cpu_alert, serve_live, settings_for

FIXTURES = Path(__file__).resolve().parents[1] / "signals" / "fixtures"


def _count(live: Live, sql: str) -> int:
    return live.service.conn.execute(sql).fetchone()[0]


def test_alertmanager_202_with_ids_then_decided(live: Live, client: httpx.Client) -> None:
    r = client.post("/v1/webhooks/alertmanager", json=cpu_alert())
    assert r.status_code == 202
    ids = r.json()["signal_ids"]
    assert len(ids) == 1 and r.json()["redelivery"] is False
    # stored before the answer: the signal row exists whatever the worker's progress
    assert live.service.store.get_signal(ids[0]) is not None
    live.wait_idle()
    got = client.get(f"/v1/signals/{ids[0]}")
    assert got.status_code == 200
    decision = got.json()
    assert decision["signal_id"] == ids[0] and decision["source"] == "alertmanager"
    assert decision["kind"] == "alert" and decision["team"] == "payments"
    assert decision["received_at"].endswith("Z")


def test_redelivery_returns_first_ids_and_one_decision(live: Live, client: httpx.Client) -> None:
    body = cpu_alert()
    first = client.post("/v1/webhooks/alertmanager", json=body).json()["signal_ids"]
    live.wait_idle()
    # same body, different whitespace and key order: the same delivery
    again = client.post("/v1/webhooks/alertmanager",
                        content=json.dumps(body, indent=2, sort_keys=True),
                        headers={"content-type": "application/json"})
    assert again.status_code == 202
    assert again.json() == {"signal_ids": first, "redelivery": True}
    live.wait_idle()
    assert _count(live, "SELECT COUNT(*) FROM signals") == 1
    assert _count(live, "SELECT COUNT(*) FROM decisions") == 1
    assert live.service.metrics.redeliveries.value(route="/v1/webhooks/alertmanager") == 1
    assert live.service.metrics.decisions.value(kind="alert", priority="P2") == 1


def test_same_body_posted_concurrently_gives_one_decision(live: Live) -> None:
    body = json.dumps(cpu_alert()).encode()

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=live.url, timeout=10, headers=AUTH) as c:
            return c.post("/v1/webhooks/alertmanager", content=body)

    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(post, range(5)))
    assert [r.status_code for r in responses] == [202] * 5
    id_sets = {tuple(r.json()["signal_ids"]) for r in responses}
    assert len(id_sets) == 1
    assert sum(not r.json()["redelivery"] for r in responses) == 1
    live.wait_idle()
    rows = live.service.conn.execute("SELECT body FROM decisions").fetchall()
    decisions = [stored_json(r[0]) for r in rows]
    assert len(decisions) == 1 and decisions[0]["noise"]["duplicate_of"] is None
    claim = live.service.claims.get(decisions[0]["signal_id"])
    assert claim is not None and claim.state == "done" and claim.attempts == 1


def test_a_new_delivery_of_the_same_alert_is_a_duplicate_decision(live: Live,
                                                                   client: httpx.Client) -> None:
    body = cpu_alert()
    client.post("/v1/webhooks/alertmanager", json=body)
    body["receiver"] = "another-receiver"  # another notification carrying the same alert
    second = client.post("/v1/webhooks/alertmanager", json=body).json()
    assert second["redelivery"] is False
    live.wait_idle()
    dup = client.get(f"/v1/signals/{second['signal_ids'][0]}").json()
    assert dup["noise"]["duplicate_of"] is not None
    assert live.service.metrics.duplicates.value() == 1


def test_malformed_bodies_name_the_field(live: Live, client: httpx.Client) -> None:
    bad_json = client.post("/v1/webhooks/alertmanager", content=b'{"alerts": [')
    assert bad_json.status_code == 400 and bad_json.json()["field"] == "payload"
    missing = client.post("/v1/webhooks/alertmanager", json={"version": "4", "alerts": [
        {"labels": "not-an-object"}]})
    assert missing.status_code == 422
    assert missing.json()["field"].startswith("alerts[0]")
    assert "alerts[0]" in missing.json()["error"]
    empty = client.post("/v1/tickets", content=b"   ")
    assert empty.status_code == 400 and empty.json()["field"] == "payload"
    fmt = client.post("/v1/events?format=nope", json={"title": "x"})
    assert fmt.status_code == 400 and fmt.json()["field"] == "format"
    # nothing stored, every refused body kept for the operator
    assert _count(live, "SELECT COUNT(*) FROM signals") == 0
    letters = client.get("/v1/dead-letters").json()
    assert [d["status"] for d in letters] == [400, 400, 422, 400]
    assert letters[-1]["body"] == '{"alerts": ['


def test_events_and_tickets_routes(live: Live, client: httpx.Client) -> None:
    pd = {"routing_key": "r" * 32, "event_action": "trigger", "dedup_key": "disk-42",
          "payload": {"summary": "Disk 97% full on reporting-db-1", "source": "reporting-db-1",
                      "severity": "critical", "component": "reporting",
                      "timestamp": "2026-12-01T10:00:00Z"}}
    ev = client.post("/v1/events", json=pd)
    assert ev.status_code == 202
    ticket = client.post("/v1/tickets", content=b"Please give me access to the finance share",
                         headers={"content-type": "text/plain"})
    assert ticket.status_code == 202
    live.wait_idle()
    pd_decision = client.get(f"/v1/signals/{ev.json()['signal_ids'][0]}").json()
    assert pd_decision["source"] == "pagerduty" and pd_decision["service"] == "reporting"
    request = client.get(f"/v1/signals/{ticket.json()['signal_ids'][0]}").json()
    assert request["source"] == "ticket" and request["kind"] == "request"


def test_grafana_route_takes_the_unified_alerting_body(live: Live, client: httpx.Client) -> None:
    body = json.loads((FIXTURES / "grafana_unified.json").read_text(encoding="utf-8"))
    r = client.post("/v1/webhooks/grafana", json=body)
    assert r.status_code == 202 and len(r.json()["signal_ids"]) == len(body["alerts"])
    live.wait_idle()
    first = client.get(f"/v1/signals/{r.json()['signal_ids'][0]}").json()
    assert first["source"] == "grafana"
    wrong = client.post("/v1/webhooks/grafana", json={"title": "not grafana"})
    assert wrong.status_code == 422 and wrong.json()["field"]


def test_bearer_token_required_when_configured(make_app: Callable[..., FastAPI],
                                               tmp_path: Path) -> None:
    app = make_app(settings_for(tmp_path, token="s3cret-webhook-token"))
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        body = cpu_alert()
        assert c.post("/v1/webhooks/alertmanager", json=body).status_code == 401
        wrong = c.post("/v1/webhooks/alertmanager", json=body,
                       headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/v1/incidents").status_code == 401
        ok = c.post("/v1/webhooks/alertmanager", json=body,
                    headers={"Authorization": "Bearer s3cret-webhook-token"})
        assert ok.status_code == 202
        assert c.get("/healthz").status_code == 200  # liveness stays open
    assert app.state.service.conn.execute("SELECT COUNT(*) FROM signals").fetchone()[0] == 1


def test_body_over_the_limit_is_413(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(max_body_bytes=2048)
    big = cpu_alert()
    big["alerts"][0]["annotations"]["description"] = "x" * 4096

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
        data = json.dumps(big).encode()
        for i in range(0, len(data), 512):
            yield data[i:i + 512]

    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10, headers=AUTH) as c:
        declared = c.post("/v1/webhooks/alertmanager", json=big)
        assert declared.status_code == 413 and declared.json()["field"] == "payload"
        streamed = c.post("/v1/webhooks/alertmanager", content=chunks())
        assert streamed.status_code == 413
        assert c.post("/v1/webhooks/alertmanager", json=cpu_alert()).status_code == 202
        assert [d["status"] for d in c.get("/v1/dead-letters").json()] == [413, 413]


def test_storage_failure_is_503_and_nothing_half_stored(live: Live,
                                                        client: httpx.Client) -> None:
    body = cpu_alert()
    body["alerts"].append(cpu_alert(fp="cpu2")["alerts"][0])
    # the delivery row is written after both signal rows: fail there, inside the transaction
    live.service.conn.execute("CREATE TRIGGER fail_delivery BEFORE INSERT ON deliveries "
                              "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    failed = client.post("/v1/webhooks/alertmanager", json=body)
    assert failed.status_code == 503 and failed.headers["retry-after"] == "5"
    assert _count(live, "SELECT COUNT(*) FROM signals") == 0
    live.service.conn.execute("DROP TRIGGER fail_delivery")
    retried = client.post("/v1/webhooks/alertmanager", json=body)  # the sender retries
    assert retried.status_code == 202 and len(retried.json()["signal_ids"]) == 2
    live.wait_idle()
    assert _count(live, "SELECT COUNT(*) FROM decisions") == 2
    assert live.service.metrics.http_requests.value(route="/v1/webhooks/alertmanager",
                                                    status="503") == 1


def test_two_servers_on_one_database_share_deliveries(make_app: Callable[..., FastAPI]) -> None:
    apps = [make_app(), make_app()]  # two services, as two `triage serve` on one --home
    body = json.dumps(cpu_alert()).encode()
    with serve_live(apps[0]) as a, serve_live(apps[1]) as b:
        def post(url: str) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=10, headers=AUTH) as c:
                return c.post("/v1/webhooks/alertmanager", content=body)

        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(post, [a, b] * 3))
        assert {tuple(r.json()["signal_ids"]) for r in responses} == {
            tuple(responses[0].json()["signal_ids"])}
        for app in apps:
            assert app.state.service.worker.wait_idle(20)
        with httpx.Client(base_url=b, timeout=10, headers=AUTH) as c:
            sid = responses[0].json()["signal_ids"][0]
            assert c.get(f"/v1/signals/{sid}").json()["kind"] == "alert"
    decided = sum(app.state.service.metrics.decisions.value(kind="alert", priority="P2")
                  for app in apps)
    assert decided == 1
