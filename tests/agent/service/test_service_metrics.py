"""GET /metrics: Prometheus text exposition 0.0.4 that parses, with the service's counters."""

from __future__ import annotations

import math
import re

import httpx
import pytest

from agent.service.metrics import Counter, Histogram, Registry
from tests.agent.service.conftest import Live, cpu_alert

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)?\})? (\S+)$')


def parse_exposition(text: str) -> tuple[dict[str, str], dict[tuple[str, str], float]]:
    """Types per metric and value per (name, labels); fails on any malformed line."""
    types: dict[str, str] = {}
    values: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line.startswith("# HELP ") or not line:
            continue
        else:
            m = SAMPLE.match(line)
            assert m, f"malformed sample line: {line!r}"
            values[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return types, values


def test_metrics_exposition_parses_and_counts(live: Live, client: httpx.Client) -> None:
    client.post("/v1/webhooks/alertmanager", json=cpu_alert())
    client.post("/v1/webhooks/alertmanager", json=cpu_alert())  # redelivery
    client.post("/v1/webhooks/alertmanager", content=b"nope")
    live.wait_idle()
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "version=0.0.4" in r.headers["content-type"]
    types, values = parse_exposition(r.text)
    assert types["triage_signals_received_total"] == "counter"
    assert types["triage_decision_duration_seconds"] == "histogram"
    assert values[("triage_signals_received_total", '{source="alertmanager"}')] == 1
    assert values[("triage_redeliveries_total", '{route="/v1/webhooks/alertmanager"}')] == 1
    assert values[("triage_decisions_total", '{kind="alert",priority="P2"}')] == 1
    assert values[("triage_webhook_errors_total",
                   '{route="/v1/webhooks/alertmanager",status="400"}')] == 1
    assert values[("triage_http_requests_total",
                   '{route="/v1/webhooks/alertmanager",status="202"}')] == 2
    assert values[("triage_decision_duration_seconds_bucket", '{le="+Inf"}')] == 1
    assert values[("triage_decision_duration_seconds_count", "")] == 1
    assert values[("triage_worker_threads_alive", "")] == 1


def test_histogram_buckets_are_cumulative_and_labels_escaped() -> None:
    reg = Registry()
    hist = reg.add(Histogram("h_seconds", "a histogram", buckets=(0.1, 1.0)))
    counter = reg.add(Counter("c_total", "a counter", ("route",)))
    assert isinstance(hist, Histogram) and isinstance(counter, Counter)
    for v in (0.05, 0.5, 5.0):
        hist.observe(v)
    counter.inc(route='say "hi"\\\n')
    types, values = parse_exposition(reg.render())
    assert types == {"h_seconds": "histogram", "c_total": "counter"}
    assert [values[("h_seconds_bucket", f'{{le="{b}"}}')] for b in ("0.1", "1", "+Inf")] == [
        1, 2, 3]
    assert math.isclose(values[("h_seconds_sum", "")], 5.55)
    assert values[("c_total", '{route="say \\"hi\\"\\\\\\n"}')] == 1
    with pytest.raises(ValueError):
        counter.inc(-1, route="x")
    with pytest.raises(ValueError):
        counter.inc(wrong="x")
