"""Sender conventions: PagerDuty's /v2/enqueue and change events, large Alertmanager groups,
/readyz vs /healthz, and build/process metrics."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from agent.config.settings import DEFAULT_MAX_BODY_BYTES, Settings
from tests.agent.service.conftest import AUTH, Live, serve_live, settings_for
from tests.support.payloads import am_body

PD_TRIGGER = {"routing_key": "R0UT1NGKEY000000000000000000000", "event_action": "trigger",
              "dedup_key": "checkout-5xx-1",
              "payload": {"summary": "checkout-api 5xx rate 12% for 10 minutes",
                          "source": "checkout-api-1", "severity": "critical",
                          "component": "checkout-api", "timestamp": "2026-12-01T09:15:00Z"}}
PD_CHANGE = {"routing_key": "R0UT1NGKEY000000000000000000000",
             "payload": {"summary": "Deploy checkout-api v2.14.0", "source": "ci.acme.example",
                         "timestamp": "2026-12-01T09:05:00Z",
                         "custom_details": {"service": "checkout-api", "version": "v2.14.0"}},
             "links": [{"href": "https://ci.acme.example/build/812", "text": "build 812"}]}


def test_pagerduty_enqueue_answers_in_pagerduty_shape(live: Live, client: httpx.Client) -> None:
    r = client.post("/v2/enqueue", json=PD_TRIGGER)
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "success" and body["message"] == "Event processed"
    assert body["dedup_key"] == "checkout-5xx-1" and len(body["signal_ids"]) == 1
    live.wait_idle()
    decision = client.get(f"/v1/signals/{body['signal_ids'][0]}").json()
    assert decision["source"] == "pagerduty" and decision["team"] == "payments"
    # a sender's retry of the same event gets the same answer and no second signal
    again = client.post("/v2/enqueue", json=PD_TRIGGER).json()
    assert again["signal_ids"] == body["signal_ids"] and again["dedup_key"] == "checkout-5xx-1"


def test_pagerduty_enqueue_generates_a_dedup_key(live: Live, client: httpx.Client) -> None:
    event = json.loads(json.dumps(PD_TRIGGER))
    del event["dedup_key"]
    key = client.post("/v2/enqueue", json=event).json()["dedup_key"]
    assert key and key != "checkout-5xx-1"
    resolve = {"routing_key": event["routing_key"], "event_action": "resolve", "dedup_key": key}
    assert client.post("/v2/enqueue", json=resolve).json()["dedup_key"] == key


def test_pagerduty_invalid_event_is_400_in_pagerduty_shape(live: Live,
                                                          client: httpx.Client) -> None:
    r = client.post("/v2/enqueue", json={"routing_key": "x", "event_action": "trigger",
                                         "payload": {"source": "a"}})
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == "invalid event" and body["message"] == "Event object is invalid"
    assert body["field"] == "payload.summary" and "payload.summary" in body["errors"][0]
    empty = client.post("/v2/enqueue", content=b"")
    assert empty.status_code == 400 and empty.json()["status"] == "invalid event"


def test_pagerduty_routes_need_the_token_when_configured(make_app: Callable[..., FastAPI],
                                                         tmp_path) -> None:
    app = make_app(settings_for(tmp_path, token="s3cret-token-value"))
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        refused = c.post("/v2/enqueue", json=PD_TRIGGER)
        assert refused.status_code == 401 and refused.json()["status"] == "unauthorized"
        ok = c.post("/v2/enqueue", json=PD_TRIGGER,
                    headers={"Authorization": "Bearer s3cret-token-value"})
        assert ok.status_code == 202


def test_change_event_is_kept_as_deployment_context(live: Live, client: httpx.Client) -> None:
    r = client.post("/v2/change/enqueue", json=PD_CHANGE)
    assert r.status_code == 202
    assert r.json()["message"] == "Change event processed" and r.json()["status"] == "success"
    live.wait_idle()
    decision = client.get(f"/v1/signals/{r.json()['signal_ids'][0]}").json()
    assert decision["kind"] == "event" and decision["event_type"] == "informational"
    assert decision["service"] == "checkout-api" and decision["team"] == "payments"
    signal = live.service.store.get_signal(r.json()["signal_ids"][0])
    assert signal.action == "change" and signal.labels["pagerduty_event"] == "change"
    assert "https://ci.acme.example/build/812" in signal.text
    # an alert event on the change route is refused, naming the field
    wrong = client.post("/v2/change/enqueue", json=PD_TRIGGER)
    assert wrong.status_code == 400 and wrong.json()["field"] == "event_action"


def _group(n: int) -> dict:
    body = am_body("KubePodNotReady", {"namespace": "payments", "severity": "warning",
                                       "service": "checkout-api", "cluster": "prod-eu-1"},
                   "Pod has been in a non-ready state for more than 15 minutes.",
                   "2026-12-01T09:00:00Z", "x")
    alert = body["alerts"][0]
    body["alerts"] = [dict(alert, labels=dict(alert["labels"], pod=f"checkout-api-{i:05d}"),
                           fingerprint=f"{i:016x}") for i in range(n)]
    return body


def test_large_alertmanager_group_is_accepted(make_app: Callable[..., FastAPI]) -> None:
    """A 3,000-alert group (~1.6 MB, over the old 1 MiB cap) is stored whole; the documented
    limit is the settings field, 16 MiB by default."""
    assert Settings(_env_file=None).max_body_bytes == DEFAULT_MAX_BODY_BYTES == 16 * 1024 * 1024
    app = make_app(background=False)
    body = json.dumps(_group(3000)).encode()
    assert len(body) > 1_048_576
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=60, headers=AUTH) as c:
        r = c.post("/v1/webhooks/alertmanager", content=body,
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 202, r.text
        assert len(r.json()["signal_ids"]) == 3000


def test_body_limit_comes_from_settings(demo_config, tmp_path, make_pipeline) -> None:
    from agent.service import create_app

    settings = settings_for(tmp_path).model_copy(update={"max_body_bytes": 4096})
    app = create_app(settings, demo_config, make_pipeline())
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10, headers=AUTH) as c:
        r = c.post("/v1/webhooks/alertmanager", json=_group(20))
        assert r.status_code == 413 and "4096" in r.json()["error"]


def test_readyz_is_distinct_from_healthz(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert ready.json()["checks"]["db"] == "ok" and ready.json()["checks"]["worker"] == "ok"
        app.state.service.worker.stop()
        not_ready = c.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["worker"].startswith("error")
        assert c.get("/healthz").status_code == 200  # alive, just not taking traffic


def test_metrics_expose_build_info_and_process_metrics(live: Live, client: httpx.Client) -> None:
    from agent.kernel.version import version

    text = client.get("/metrics").text
    assert f'triage_build_info{{version="{version()}"' in text
    samples = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
               if line.startswith("process_")}
    assert samples["process_resident_memory_bytes"] > 10_000_000
    assert samples["process_cpu_seconds_total"] > 0
    assert samples["process_open_fds"] >= 3 and samples["process_max_fds"] > 0
    assert samples["process_start_time_seconds"] > 1.7e9
    assert "# TYPE process_cpu_seconds_total counter" in text
