"""Alertmanager and Grafana webhooks: one signal per alert, every field kept."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from agent.kernel.errors import SignalParseError


def test_alertmanager_webhook_gives_one_signal_per_alert(parse, fixture_payload) -> None:
    body = fixture_payload("alertmanager_v4.json")
    firing, resolved = parse(body, "alertmanager")
    assert [firing.signal_id, resolved.signal_id] == ["sig-0", "sig-1"]
    assert firing.source == "alertmanager" and firing.status == "firing"
    assert firing.fingerprint == "a3c5c1b2d4e6f708"
    assert firing.title == "KubePodCrashLooping"
    assert firing.severity == "warning"  # lower-cased as sent
    assert firing.service == "checkout-api"
    assert firing.host == "10.2.0.14"
    assert firing.starts_at == datetime(2026, 11, 20, 8, 14, 5, 123456, tzinfo=UTC)
    assert firing.ends_at is None  # 0001-01-01 means unset
    assert firing.timestamp == firing.starts_at
    assert firing.text.startswith("Pod is crash looping.\nPod payments/checkout-api")
    assert "runbooks.prometheus-operator.dev" not in firing.text
    assert firing.annotations["runbook_url"].startswith("https://")
    assert firing.labels["job"] == "kube-state-metrics"


def test_alertmanager_resolved_alert_times_and_status(parse, fixture_payload, received) -> None:
    _, resolved = parse(fixture_payload("alertmanager_v4.json"))
    assert resolved.status == "resolved"
    assert resolved.starts_at == datetime(2026, 11, 20, 6, 50, tzinfo=UTC)  # +01:00 → UTC
    assert resolved.ends_at == datetime(2026, 11, 20, 8, 10, tzinfo=UTC)
    assert resolved.timestamp == resolved.ends_at  # a resolve happens at endsAt
    assert resolved.service is None  # `job` is the scrape job, never the service
    assert resolved.received_at == received


def test_alertmanager_raw_is_its_own_alert_object(parse, fixture_payload) -> None:
    """Each signal's raw is its alert exactly as received, the very object of the body (the
    store keeps the envelope once: tests/agent/store/test_payloads.py)."""
    body = fixture_payload("alertmanager_v4.json")
    original = copy.deepcopy(body)
    firing, resolved = parse(body)
    assert body == original  # input not mutated
    for index, signal in enumerate((firing, resolved)):
        assert signal.raw == original["alerts"][index]
        assert signal.raw is body["alerts"][index]
    assert resolved.raw["someFutureField"] == {"kept": True}
    again = parse(json.dumps(firing.raw))
    assert [s.fingerprint for s in again] == [firing.fingerprint]


def test_alertmanager_without_fingerprint_hashes_the_label_set(parse, fixture_payload) -> None:
    body = fixture_payload("alertmanager_v4.json")
    for alert in body["alerts"]:
        del alert["fingerprint"]
    first, second = parse(body)
    reordered = dict(reversed(list(body["alerts"][0]["labels"].items())))
    body["alerts"][0]["labels"] = reordered
    assert parse(body)[0].fingerprint == first.fingerprint
    assert len(first.fingerprint) == 16 and first.fingerprint != second.fingerprint


def test_missing_severity_label_stays_none(parse, fixture_payload) -> None:
    body = fixture_payload("alertmanager_v4.json")
    del body["alerts"][0]["labels"]["severity"]
    assert parse(body)[0].severity is None


def test_bare_alert_list_is_a_batch_of_alertmanager_alerts(parse, fixture_payload) -> None:
    alerts = fixture_payload("alertmanager_v4.json")["alerts"]
    signals = parse(alerts)
    assert [s.source for s in signals] == ["alertmanager", "alertmanager"]
    assert signals[1].raw == alerts[1]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda b: b["alerts"].__setitem__(1, {**b["alerts"][1], "labels": "x"}),
     "alerts[1].labels: must be an object"),
    (lambda b: b.__setitem__("alerts", {}), "alerts: must be an array"),
    (lambda b: b.__setitem__("alerts", []), "alerts: must contain at least one alert"),
    (lambda b: b["alerts"][0].__setitem__("startsAt", "yesterday"),
     "alerts[0].startsAt: not an RFC"),
    (lambda b: b["alerts"][0].__setitem__("status", "pending"), "alerts[0].status"),
    (lambda b: b["alerts"][0]["labels"].__setitem__("pod", {"a": 1}), "alerts[0].labels: value"),
    (lambda b: b.__setitem__("commonLabels", [1]), "commonLabels: must be an object"),
    (lambda b: b.pop("alerts"), "alerts: required"),
])
def test_malformed_alertmanager_names_the_field(mutate, message: str, parse,
                                                fixture_payload) -> None:
    body = fixture_payload("alertmanager_v4.json")
    mutate(body)
    with pytest.raises(SignalParseError) as info:
        parse(body, "alertmanager")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_grafana_unified_webhook(parse, fixture_payload) -> None:
    body = fixture_payload("grafana_unified.json")
    firing, resolved = parse(body)
    assert firing.source == resolved.source == "grafana"
    assert firing.title == "High CPU" and firing.severity == "critical"
    assert firing.host == "web-01" and firing.fingerprint == "6c3b1d9a0f8e2b47"
    assert firing.text.startswith("CPU above 95% on web-01")
    assert firing.raw["values"] == {"B": 97.3, "C": 1} and firing.raw is body["alerts"][0]
    assert resolved.status == "resolved" and resolved.severity is None
    assert resolved.timestamp == datetime(2026, 11, 20, 7, 55, tzinfo=UTC)


def test_grafana_single_alert_without_annotations_uses_message(parse, fixture_payload) -> None:
    body = fixture_payload("grafana_unified.json")
    body["alerts"] = body["alerts"][:1]
    body["alerts"][0]["annotations"] = {}
    (signal,) = parse(body, "grafana")
    assert "Value: B=97.3" in signal.text


def test_grafana_legacy_webhook(parse, fixture_payload) -> None:
    body = {"title": "[Alerting] Disk full", "ruleId": 7, "ruleName": "Disk full",
            "state": "alerting", "message": "Disk on db-1 is full",
            "evalMatches": [{"metric": "disk", "value": 99}], "tags": {"service": "orders-db"}}
    (signal,) = parse(body)
    assert signal.source == "grafana" and signal.title == "Disk full"
    assert signal.service == "orders-db" and signal.status == "firing"
    assert parse({**body, "state": "ok"})[0].status == "resolved"
