"""`--fail-under` bounds and report comparison (direction-aware, latency only warns)."""

from __future__ import annotations

import pytest

from evals.compare import compare
from evals.gate import GateError, check, parse_bounds


def test_parse_bounds_and_errors():
    assert parse_bounds(["kind_accuracy=0.9", "unsafe_actions=0"]) == {
        "kind_accuracy": 0.9, "unsafe_actions": 0.0}
    with pytest.raises(GateError, match="unknown metric 'kind_acc'"):
        parse_bounds(["kind_acc=0.9"])
    with pytest.raises(GateError, match="not a number"):
        parse_bounds(["kind_accuracy=high"])
    with pytest.raises(GateError, match="METRIC=VALUE"):
        parse_bounds(["kind_accuracy"])


def test_check_directions_and_missing():
    metrics = {"kind_accuracy": 0.8, "unsafe_actions": 1, "latency_ms_p95": 40.0,
               "team_accuracy": None}
    assert check(metrics, {"kind_accuracy": 0.8, "latency_ms_p95": 50}) == []
    failures = check(metrics, {"kind_accuracy": 0.81, "unsafe_actions": 0, "team_accuracy": 0.5})
    assert len(failures) == 3
    assert failures[0].startswith("kind_accuracy: 0.8000 < min 0.81")
    assert failures[1] == "unsafe_actions: 1 > max 0"
    assert "not computed" in failures[2]


def rep(**metrics):
    return {"metrics": metrics}


def test_compare_statuses():
    base = rep(kind_accuracy=0.90, team_accuracy=0.80, unsafe_actions=0, latency_ms_p95=10.0,
               runbook_hit_at_1=None)
    new = rep(kind_accuracy=0.895, team_accuracy=0.70, unsafe_actions=1, latency_ms_p95=30.0)
    by = {d.metric: d for d in compare(base, new, tolerance=0.01)}
    assert by["kind_accuracy"].status == "ok"  # a 0.005 drop is within tolerance
    assert by["runbook_hit_at_1"].status == "n/a"  # extra metric, null in base
    assert by["team_accuracy"].status == "regression"
    assert by["team_accuracy"].delta == pytest.approx(-0.10)
    assert by["unsafe_actions"].status == "regression"
    assert by["latency_ms_p95"].status == "warning"
    assert by["incident_recall"].status == "n/a"


def test_compare_tolerance_edges_and_improvement():
    base, new = rep(kind_accuracy=0.90), rep(kind_accuracy=0.889)
    assert {d.metric: d for d in compare(base, new)}["kind_accuracy"].status == "regression"
    assert {d.metric: d for d in compare(base, rep(kind_accuracy=0.895))}[
        "kind_accuracy"].status == "ok"
    assert {d.metric: d for d in compare(base, rep(kind_accuracy=0.95))}[
        "kind_accuracy"].status == "improved"
