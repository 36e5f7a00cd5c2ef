"""Dynamic thresholds: EWMA + hour-of-day baselines raise anomalies on large deviations."""

from __future__ import annotations

import random

from agent.noise.baseline import Ewma


def test_ewma_tracks_mean_and_variance():
    e = Ewma()
    rng = random.Random(1)
    for _ in range(2000):
        e.update(rng.gauss(50, 5), 0.02)
    assert abs(e.mean - 50) < 2 and 3.5 < e.sigma() < 6.5


def test_sample_far_above_baseline_is_an_anomaly(make_gate, sig):
    gate = make_gate({"noise": {"baseline_min_samples": 30, "anomaly_sigma": 4}})
    rng = random.Random(7)
    outs = [gate.process(sig.sample("cpu_usage_percent", 52 + rng.gauss(0, 3), at=i,
                                    host="web-1", service="shop")) for i in range(60)]
    assert not any(o.anomaly for o in outs)
    spike = gate.process(sig.sample("cpu_usage_percent", 97, at=61, host="web-1", service="shop"))
    assert spike.anomaly and spike.anomaly.startswith("cpu_usage_percent=97 is ")
    assert "above its baseline" in spike.anomaly
    other = gate.process(sig.sample("cpu_usage_percent", 97, at=61, host="web-2", service="shop"))
    assert other.anomaly is None  # a new series has no baseline yet


def test_no_anomaly_before_minimum_samples(make_gate, sig):
    gate = make_gate({"noise": {"baseline_min_samples": 50}})
    for i in range(20):
        gate.process(sig.sample("latency_ms", 100, at=i, service="api"))
    assert gate.process(sig.sample("latency_ms", 10000, at=21, service="api")).anomaly is None


def test_seasonal_profile_expects_the_daily_peak(make_gate, sig):
    gate = make_gate({"noise": {"baseline_min_samples": 30, "seasonal_min_samples": 5,
                                "anomaly_sigma": 4}})
    rng = random.Random(3)
    day = 24 * 60
    for d in range(7):  # quiet nights at 20, a busy hour (10:00) at 80, every day
        for hour in range(24):
            level = 80 if hour == 10 else 20
            for k in range(2):
                gate.process(sig.sample("rps", level + rng.gauss(0, 2),
                                        at=d * day + hour * 60 + k * 20, service="api"))
    peak = gate.process(sig.sample("rps", 81, at=7 * day + 10 * 60 + 5, service="api"))
    night = gate.process(sig.sample("rps", 81, at=7 * day + 3 * 60 + 5, service="api"))
    assert peak.anomaly is None
    assert night.anomaly and "above its baseline" in night.anomaly


def test_telemetry_notifies_only_on_breach_or_anomaly(make_gate, sig):
    gate = make_gate({"thresholds": {"disk_used_percent": {"warning": 85, "critical": 95}}})
    calm = gate.process(sig.sample("disk_used_percent", 70, at=0, service="db"))
    warn = gate.process(sig.sample("disk_used_percent", 90, at=1, service="db"))
    crit = gate.process(sig.sample("disk_used_percent", 96, at=2, service="db"))
    assert not calm.notify and not warn.notify
    assert crit.notify and crit.notify_reason == "critical threshold breached"
