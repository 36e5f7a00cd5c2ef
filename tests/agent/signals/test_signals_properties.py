"""Property tests: no input of any shape makes a parser raise anything but SignalParseError."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.kernel.errors import SignalParseError
from agent.signals.parse import FORMATS, parse_payload

RECEIVED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
KEYS = st.sampled_from([
    "alerts", "labels", "annotations", "startsAt", "endsAt", "status", "fingerprint", "version",
    "groupKey", "receiver", "orgId", "values", "event_action", "routing_key", "payload",
    "summary", "severity", "dedup_key", "timestamp", "metric", "value", "line", "title", "body",
    "message", "text", "reporter", "type", "event", "ts", "level", "msg", "service", "host",
    "custom_details", "component", "alertname", "id", "created_at", "ruleName", "tags",
]) | st.text(max_size=8)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=20)
           | st.text(st.characters(codec=None, categories=["Cs"]), max_size=2)
           | st.sampled_from(["firing", "resolved", "trigger", "resolve", "message",
                              "2026-11-20T08:00:00Z", "0001-01-01T00:00:00Z", "1763625600.5",
                              "critical", "Nov 20 08:00:00 h p[1]: x"]))
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=25,
)
TEXT = st.text(max_size=200) | st.sampled_from(['{"title": "\\ud800", "message": "x"}',
                                               "\ud83d\ude00 \udc00 lone surrogates",
    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
    "<165>1 2003-10-11T22:14:15.003Z host app - ID47 [x@1 a=\"]\"] msg",
    "2026-02-30T08:00:00Z ERROR [x] bad date", "E0230 25:61:61.0 1 x.go:1] bad klog",
    "<999>Feb 29 08:00:00 h p: leap", '{"level": 5, "msg": 7}', "level= msg=",
])
FMT = st.sampled_from(FORMATS)


def _check(payload: object, fmt: str) -> None:
    counter = itertools.count()
    try:
        signals = parse_payload(payload, fmt, received_at=RECEIVED,
                                new_id=lambda: f"s{next(counter)}")
    except SignalParseError as exc:
        assert "\n" not in str(exc) and exc.field
        return
    for signal in signals:
        assert signal.timestamp.tzinfo is not None and signal.fingerprint
        assert signal.received_at == RECEIVED
        signal.model_dump_json()  # every signal serializes (no lone surrogates, no odd types)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=JSON, fmt=FMT)
def test_any_json_value_only_raises_signal_parse_error(payload: object, fmt: str) -> None:
    _check(payload, fmt)


@settings(max_examples=200, deadline=None)
@given(payload=JSON, fmt=FMT)
def test_any_json_text_only_raises_signal_parse_error(payload: object, fmt: str) -> None:
    _check(json.dumps(payload), fmt)


@settings(max_examples=200, deadline=None)
@given(text=TEXT, fmt=FMT)
def test_any_text_only_raises_signal_parse_error(text: str, fmt: str) -> None:
    _check(text, fmt)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), fmt=FMT)
def test_any_bytes_only_raise_signal_parse_error(data: bytes, fmt: str) -> None:
    _check(data, fmt)


SMALL = st.recursive(SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(KEYS, c,
                                                                               max_size=3),
                     max_leaves=6)
LABELS = st.dictionaries(st.text(max_size=6), st.text(max_size=10) | SCALARS, max_size=4)
ALERT = st.fixed_dictionaries(
    {}, optional={"labels": LABELS | SMALL, "annotations": LABELS | SMALL,
                  "status": SMALL, "startsAt": SMALL, "endsAt": SMALL, "fingerprint": SMALL,
                  "values": SMALL, "generatorURL": SMALL})


@settings(max_examples=150, deadline=None)
@given(alerts=st.lists(ALERT, min_size=1, max_size=3),
       envelope=st.dictionaries(KEYS, SMALL, max_size=4),
       fmt=st.sampled_from(["auto", "alertmanager", "grafana"]))
def test_alert_shaped_bodies_only_raise_signal_parse_error(alerts, envelope, fmt: str) -> None:
    _check({**envelope, "alerts": alerts}, fmt)


@settings(max_examples=150, deadline=None)
@given(details=SMALL, pd=st.dictionaries(KEYS, SMALL, max_size=5),
       action=st.sampled_from(["trigger", "resolve", "acknowledge", "x"]))
def test_pagerduty_shaped_bodies_only_raise_signal_parse_error(details, pd, action) -> None:
    _check({"event_action": action, "dedup_key": "k",
            "payload": {**pd, "summary": "s", "custom_details": details}}, "auto")
