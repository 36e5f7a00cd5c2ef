"""Rule confidences calibrated from public data: fitting, fallbacks, use in the reasoner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.config.org import OrgConfig
from agent.learning.rule_calibration import MIN_SUPPORT, apply, fit, held_out_ece, load, rule_key
from agent.noise.types import NoiseOutcome
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Evidence
from agent.signals.parse import parse_payload


def test_fit_smooths_and_needs_support():
    key = rule_key("inferred severity", "wording reads as a failure")
    decisions = [(key, True)] * 20 + [(key, False)] * 20 + [("rare rule", True)] * 3
    table = fit(decisions)
    assert table[key] == {"p": 0.5, "n": 40}
    assert table["inferred severity"]["n"] == 40  # the rule-level bin is fitted too
    assert "rare rule" not in table and MIN_SUPPORT > 3
    assert apply(table, key, 0.9) == 0.5
    assert apply(table, "inferred severity|other wording", 0.9) == 0.5  # rule-level fallback
    assert apply(table, "maintenance window", 0.95) == 0.95  # never fitted: its constant


def test_held_out_ece_compares_fixed_and_calibrated():
    table = {"r": {"p": 0.5, "n": 100}}
    out = held_out_ece(table, [("r", 0.9, True), ("r", 0.9, False)])
    assert out == {"n": 2, "ece_fixed": pytest.approx(0.4), "ece_calibrated": 0.0}


def test_reasoner_reports_the_calibrated_confidence_and_its_rule():
    body = {"version": "4", "status": "firing", "alerts": [{
        "status": "firing", "labels": {"alertname": "QueueBacklogHigh"},
        "annotations": {"summary": "queue backlog is high"},
        "startsAt": "2026-11-20T08:00:00Z"}]}
    sig = parse_payload(body, "alertmanager", received_at=datetime(2026, 12, 1, tzinfo=UTC),
                        new_id=lambda: "s1")[0]
    ev = Evidence(signal=sig, config=OrgConfig(), noise=NoiseOutcome(group_id="g"))
    fixed = OfflineReasoner(None, rule_table={}).judge(ev)
    assert fixed.rule.startswith("inferred severity|")
    table = {fixed.rule: {"p": 0.61, "n": 100}}
    assert OfflineReasoner(None, rule_table=table).judge(ev).confidence == 0.61


def test_shipped_table_covers_the_rules_public_data_exercises():
    table = load()
    assert "inferred severity" in table and "routine log line" in table
    assert all(0.0 < v["p"] < 1.0 and v["n"] >= MIN_SUPPORT for v in table.values())
