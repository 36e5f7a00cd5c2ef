"""PagerDuty Events v2, generic JSON events and raw metric samples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.kernel.errors import SignalParseError


def test_pagerduty_trigger(parse, fixture_payload) -> None:
    body = fixture_payload("pagerduty_trigger.json")
    (signal,) = parse(body)
    assert signal.source == "pagerduty" and signal.status == "firing"
    assert signal.action == "trigger" and signal.dedup_key == "srv01/mysql"
    assert signal.fingerprint == "srv01/mysql"
    assert signal.severity == "critical"
    assert signal.service == "mysql" and signal.host == "prod-datapipe03.example.com"
    assert signal.timestamp == datetime(2026, 11, 20, 8, 42, 58, 315000, tzinfo=UTC)
    assert signal.title == "DISK at 99% on machine prod-datapipe03.example.com"
    assert "free space: 1%" in signal.text and signal.annotations["load avg"] == "0.75"
    assert signal.labels == {"component": "mysql", "group": "prod-datapipe", "class": "disk"}
    assert signal.raw == body


def test_pagerduty_resolve_and_acknowledge(parse, received) -> None:
    (resolve,) = parse({"routing_key": "R1", "event_action": "resolve", "dedup_key": "srv01/mysql"})
    assert resolve.status == "resolved" and resolve.fingerprint == "srv01/mysql"
    assert resolve.timestamp == received and resolve.severity is None
    (ack,) = parse({"routing_key": "R1", "event_action": "acknowledge", "dedup_key": "k"},
                   "pagerduty")
    assert ack.status == "firing" and ack.action == "acknowledge"


def test_pagerduty_without_dedup_key_hashes_and_group_is_the_fallback_service(parse) -> None:
    body = {"routing_key": "R1", "event_action": "trigger",
            "payload": {"summary": "Queue backlog", "source": "mq-1", "severity": "warning",
                        "group": "orders"}}
    first, second = parse(body)[0], parse(body)[0]
    assert first.fingerprint == second.fingerprint and len(first.fingerprint) == 16
    assert first.service == "orders" and first.dedup_key is None


@pytest.mark.parametrize(("body", "message"), [
    ({"routing_key": "R", "event_action": "explode"}, "event_action"),
    ({"routing_key": "R"}, "event_action: required"),
    ({"event_action": "trigger", "payload": {"source": "x"}}, "payload.summary: required"),
    ({"event_action": "resolve"}, "dedup_key: required"),
    ({"event_action": "trigger", "payload": {"summary": "s", "severity": "urgent"}},
     "payload.severity"),
    ({"event_action": "trigger", "payload": "down"}, "payload: must be an object"),
    ({"event_action": "trigger", "payload": {"summary": "s", "timestamp": "noon"}},
     "payload.timestamp"),
])
def test_malformed_pagerduty(parse, body, message: str) -> None:
    with pytest.raises(SignalParseError, match=message.replace(".", r"\.")):
        parse(body, "pagerduty")


def test_generic_event(parse) -> None:
    body = {"title": "Backup finished", "message": "Nightly backup of orders-db completed in 41m",
            "severity": "INFO", "service": "orders-db", "host": "db-1", "env": "prod",
            "source": "cron",
            "timestamp": 1763625600}
    (signal,) = parse(body)
    assert signal.source == "generic" and signal.title == "Backup finished"
    assert signal.text == "Backup finished\nNightly backup of orders-db completed in 41m"
    assert signal.severity == "info" and signal.service == "orders-db" and signal.host == "db-1"
    assert signal.labels["env"] == "prod" and signal.labels["origin"] == "cron"
    assert signal.label_view()["source"] == "generic"
    assert signal.timestamp == datetime(2025, 11, 20, 8, 0, tzinfo=UTC)


def test_generic_message_only_and_missing_text(parse) -> None:
    (signal,) = parse({"message": "VPN gateway rebooted\nall tunnels re-established"}, "generic")
    assert signal.title == "VPN gateway rebooted" and signal.severity is None
    with pytest.raises(SignalParseError, match=r"title: required"):
        parse({"foo": "bar"}, "generic")
    with pytest.raises(SignalParseError, match=r"\[0\]: must be a JSON object"):
        parse([1], "generic")


def test_metric_sample(parse) -> None:
    body = {"metric": "cpu_usage_percent", "value": 97.5,
            "labels": {"instance": "web-01:9100", "service": "checkout-api", "job": "node"},
            "timestamp": "2026-11-20T08:59:00+02:00"}
    (signal,) = parse(body)
    assert signal.source == "metric" and signal.metric is not None
    assert (signal.metric.name, signal.metric.value) == ("cpu_usage_percent", 97.5)
    assert signal.service == "checkout-api" and signal.host == "web-01"
    assert signal.timestamp == datetime(2026, 11, 20, 6, 59, tzinfo=UTC)
    assert signal.severity is None and "97.5" in signal.title
    same_series = parse({**body, "value": 12})[0]
    assert same_series.fingerprint == signal.fingerprint
    other = parse({**body, "labels": {**body["labels"], "instance": "web-02:9100"}})[0]
    assert other.fingerprint != signal.fingerprint


def test_metric_prometheus_vector_sample(parse) -> None:
    body = {"metric": {"__name__": "disk_used_percent", "host": "db-1"},
            "value": [1763625600.123, "91.2"]}
    (signal,) = parse(body)
    assert signal.metric is not None and signal.metric.value == pytest.approx(91.2)
    assert signal.host == "db-1" and signal.labels == {"host": "db-1"}


@pytest.mark.parametrize(("body", "message"), [
    ({"value": 1}, "metric: required"),
    ({"metric": "cpu"}, "value: required"),
    ({"metric": "cpu", "value": "high"}, "value: must be a finite number"),
    ({"metric": "cpu", "value": True}, "value: must be a finite number"),
    ({"metric": "cpu", "value": 1, "labels": ["a"]}, "labels: must be an object"),
    ({"metric": "cpu", "value": 1, "labels": {"a": {"b": 1}}}, "labels.a: must be a string"),
    ({"metric": "cpu", "value": 1, "timestamp": "soon"}, "timestamp: not an RFC 3339"),
])
def test_malformed_metric(parse, body, message: str) -> None:
    with pytest.raises(SignalParseError) as info:
        parse(body, "metric")
    assert message in str(info.value)
