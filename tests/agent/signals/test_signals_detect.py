"""Auto-detection order, payload decoding (bytes, JSON text, JSON Lines, arrays) and bad formats."""

from __future__ import annotations

import json

import pytest

from agent.kernel.errors import SignalParseError
from agent.signals.detect import detect_format


@pytest.mark.parametrize(("payload", "expected"), [
    ({"alerts": [{"labels": {"alertname": "A"}}], "version": "4", "receiver": "r"},
     "alertmanager"),
    ({"alerts": [{"labels": {"alertname": "A"}, "values": {"B": 1}}]}, "grafana"),
    ({"alerts": [{"labels": {"alertname": "A"}}], "orgId": 1}, "grafana"),
    ({"ruleName": "Disk", "state": "alerting", "evalMatches": []}, "grafana"),
    ({"routing_key": "R", "event_action": "trigger", "payload": {"summary": "x"}}, "pagerduty"),
    ({"metric": "cpu_usage_percent", "value": 97}, "metric"),
    ({"metric": "cpu_usage_percent", "value": "97.5"}, "metric"),
    ({"metric": {"__name__": "up"}, "value": [1, "0"]}, "metric"),
    ({"line": "Nov 20 08:00:00 web-1 sshd[1]: hi"}, "log"),
    ({"type": "message", "text": "hi", "ts": "1.0"}, "slack"),
    ({"event": {"type": "message", "text": "hi"}}, "slack"),
    ({"labels": {"alertname": "A"}, "annotations": {}, "startsAt": "2026-11-20T08:00:00Z"},
     "alertmanager"),
    ({"title": "Need a laptop", "reporter": "ann"}, "ticket"),
    ({"subject": "Need a laptop", "body": "please"}, "ticket"),
    ({"level": "error", "msg": "boom"}, "log"),
    ({"title": "Deploy done", "severity": "info", "message": "v2.3 is live"}, "generic"),
    ({"message": "something happened"}, "generic"),
    ("<13>Nov 20 08:00:00 web-1 app: started", "log"),
    ("<14>1 2026-11-20T08:00:00Z web-1 app - - - started", "log"),
    ("2026-11-20T08:00:00Z INFO ready", "log"),
    ("[ERROR] disk full", "log"),
    ("level=warn msg=slow", "log"),
    ("Please reset my password", "ticket"),
    ("Error when I log in to the VPN, please help", "ticket"),
])
def test_detect_format(payload, expected: str) -> None:
    assert detect_format(payload) == expected


def test_unrecognized_object_names_payload() -> None:
    with pytest.raises(SignalParseError, match=r"^invalid input: payload: unrecognized object"):
        detect_format({"foo": 1})


def test_auto_parses_bytes_json_text_and_json_lines(parse, fixture_payload) -> None:
    body = fixture_payload("alertmanager_v4.json")
    assert len(parse(json.dumps(body).encode())) == 2
    assert len(parse("\ufeff" + json.dumps(body))) == 2
    lines = "\n".join(json.dumps(x) for x in (
        {"level": "error", "msg": "a"}, {"title": "t", "message": "m"}))
    assert [s.source for s in parse(lines)] == ["log", "generic"]
    mixed = [{"metric": "cpu", "value": 1}, "Nov 20 08:00:00 web-1 app: hi"]
    assert [s.source for s in parse(mixed)] == ["metric", "log"]


def test_json_log_line_as_text_for_explicit_log(parse) -> None:
    (signal,) = parse(b'{"level":"info","message":"ok"}', "log")
    assert signal.severity == "info"


@pytest.mark.parametrize(("payload", "fmt", "message"), [
    ("{}", "nope", "format: unknown format 'nope'"),
    ({}, "", "format: unknown format"),
    (b"\xff\xfe", "auto", "payload: not valid UTF-8 text"),
    ("   ", "auto", "payload: empty input"),
    ('{"alerts": [', "auto", "payload: invalid JSON at line 1"),
    ("not json", "alertmanager", "payload: invalid JSON"),
    ("42", "metric", "payload: must be a JSON object"),
    (None, "auto", "payload: must be a JSON object, a JSON array or text"),
    (3.5, "auto", "payload: must be a JSON object, a JSON array or text"),
    ([], "auto", "payload: empty array"),
    ([[1]], "auto", "[0]: nested arrays"),
    ([{"metric": "m", "value": 1}, {"metric": "m"}], "metric", "[1].value: required"),
    ("[" * 100 + "]" * 100, "auto", "payload: nested deeper than"),
    ("x", "grafana", "payload: invalid JSON"),
])
def test_bad_payloads_name_the_field(parse, payload, fmt: str, message: str) -> None:
    with pytest.raises(SignalParseError) as info:
        parse(payload, fmt)
    text = str(info.value)
    assert message in text and "\n" not in text


def test_error_fields_from_hostile_keys_stay_on_one_line(parse) -> None:
    body = {"alerts": [{"labels": {"a\nb": {"x": 1}}}]}
    with pytest.raises(SignalParseError) as info:
        parse(body, "alertmanager")
    assert "\n" not in str(info.value) and "alerts[0].labels" in str(info.value)


def test_naive_received_at_is_taken_as_utc(parse, received) -> None:
    (signal,) = parse("plain ticket text", "ticket", received.replace(tzinfo=None))
    assert signal.received_at == received and signal.timestamp.tzinfo is not None


def test_lone_surrogates_are_replaced_so_signals_serialize(parse) -> None:
    (signal,) = parse('{"title": "disk \\ud800 full", "message": "\\ud83d\\ude00 ok"}')
    assert signal.title == "disk \ufffd full" and signal.text.endswith("\U0001F600 ok")
    assert "\ufffd" in signal.model_dump_json()
