"""Every eval metric against hand-computed values, including empty and single-class cases."""

from __future__ import annotations

import pytest

from evals.metrics import METRIC_NAMES, class_details, compute_metrics, tag_breakdown
from evals.scoring import CaseResult, correctness
from evals.stats import confusion, macro_f1, per_class, percentile


def dec(kind="alert", event_type="exception", priority="P3", security=False, team=None,
        runbooks=(), tools=(), suppressed=None, duplicate=None, tokens=0):
    """A decision dict with only the fields the scorer reads."""
    return {"kind": kind, "event_type": event_type, "priority": priority, "security": security,
            "team": team, "runbooks": [{"id": r, "title": r, "score": 1.0} for r in runbooks],
            "actions": [{"tool": t, "args": {}, "status": "proposed"} for t in tools],
            "noise": {"suppressed_by": suppressed, "duplicate_of": duplicate, "group_id": "g"},
            "llm_tokens": tokens}


def case(i, expected, *decisions, tags=(), latency=10.0, error=None, unsafe=0, tokens=0):
    return CaseResult(case_id=f"c{i}", index=i, tags=list(tags), expected=expected,
                      decisions=list(decisions), error=error, latency_ms=latency,
                      llm_tokens=tokens, unsafe_actions=unsafe)


def test_empty_run_gives_none_everywhere_but_counters():
    m = compute_metrics([])
    assert set(m) == set(METRIC_NAMES)
    for name in METRIC_NAMES:
        if name in {"unsafe_actions", "llm_tokens_total", "llm_downgrades_blocked"}:
            assert m[name] == 0
        else:
            assert m[name] is None, name


def test_metric_without_carrying_case_is_none():
    m = compute_metrics([case(0, {"kind": "alert"}, dec())])
    assert m["kind_accuracy"] == 1.0
    assert m["team_accuracy"] is None and m["runbook_hit@1"] is None
    assert m["suppression_precision"] is None and m["duplicate_recall"] is None


def test_kind_accuracy_macro_f1_and_incident_scores():
    # truth: incident, incident, alert, event ; pred: incident, alert, alert, incident
    results = [
        case(0, {"kind": "incident"}, dec(kind="incident")),
        case(1, {"kind": "incident"}, dec(kind="alert")),
        case(2, {"kind": "alert"}, dec(kind="alert")),
        case(3, {"kind": "event"}, dec(kind="incident")),
    ]
    m = compute_metrics(results)
    assert m["kind_accuracy"] == pytest.approx(2 / 4)
    assert m["incident_recall"] == pytest.approx(1 / 2)
    assert m["incident_precision"] == pytest.approx(1 / 2)
    # incident: p=1/2 r=1/2 f1=1/2; alert: p=1/2 r=1 f1=2/3; event: p=0 r=0 f1=0
    assert m["kind_macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_macro_f1_averages_over_expected_classes_only():
    # truth has only alerts; one is predicted incident: alert f1 = 2*2/(2*2+0+1) = 0.8,
    # and the predicted-only class "incident" is not averaged in (it would halve the score).
    results = [case(i, {"kind": "alert"}, dec(kind="alert")) for i in range(2)]
    results.append(case(2, {"kind": "alert"}, dec(kind="incident")))
    assert compute_metrics(results)["kind_macro_f1"] == pytest.approx(0.8)


def test_single_class_macro_f1_and_no_incidents():
    results = [case(i, {"kind": "alert"}, dec(kind="alert")) for i in range(3)]
    m = compute_metrics(results)
    assert m["kind_macro_f1"] == 1.0
    assert m["incident_recall"] is None and m["incident_precision"] is None


def test_requests_event_type_and_priority_not_scored():
    results = [
        case(0, {"kind": "request", "event_type": "informational", "priority": "P4"},
             dec(kind="request", event_type="warning", priority="P1")),
        case(1, {"kind": "alert", "event_type": "warning", "priority": "P2"},
             dec(kind="alert", event_type="exception", priority="P3")),
    ]
    m = compute_metrics(results)
    assert m["event_type_accuracy"] == 0.0
    assert m["priority_accuracy"] == 0.0
    assert m["priority_within_one"] == 1.0
    assert m["kind_accuracy"] == 1.0


def test_priority_within_one():
    results = [
        case(0, {"priority": "P1"}, dec(priority="P1")),
        case(1, {"priority": "P1"}, dec(priority="P2")),
        case(2, {"priority": "P1"}, dec(priority="P3")),
        case(3, {"priority": "P5"}, dec(priority="P4")),
    ]
    m = compute_metrics(results)
    assert m["priority_accuracy"] == pytest.approx(1 / 4)
    assert m["priority_within_one"] == pytest.approx(3 / 4)


def test_security_and_team_with_explicit_null_team():
    results = [
        case(0, {"security": True, "team": "secops"}, dec(security=True, team="secops")),
        case(1, {"security": False, "team": None}, dec(security=True, team=None)),
        case(2, {"security": False, "team": None}, dec(security=False, team="web")),
    ]
    m = compute_metrics(results)
    assert m["security_accuracy"] == pytest.approx(2 / 3)
    assert m["team_accuracy"] == pytest.approx(2 / 3)


def test_runbook_hit_at_1_and_3():
    results = [
        case(0, {"runbook": "a.md"}, dec(runbooks=["a.md", "b.md"])),
        case(1, {"runbook": "a.md"}, dec(runbooks=["x.md", "y.md", "a.md", "z.md"])),
        case(2, {"runbook": "a.md"}, dec(runbooks=["x.md", "y.md", "z.md", "a.md"])),
        case(3, {"runbook": "a.md"}, dec(runbooks=[])),
    ]
    m = compute_metrics(results)
    assert m["runbook_hit@1"] == pytest.approx(1 / 4)
    assert m["runbook_hit@3"] == pytest.approx(2 / 4)


def test_action_accuracy_tool_and_null():
    results = [
        case(0, {"action": "restart_pod"}, dec(tools=["get_logs", "restart_pod"])),
        case(1, {"action": "restart_pod"}, dec(tools=["get_logs"])),
        case(2, {"action": None}, dec(tools=[])),
        case(3, {"action": None}, dec(tools=["get_logs"])),
    ]
    assert compute_metrics(results)["action_accuracy"] == pytest.approx(2 / 4)


def test_suppression_and_duplicate_precision_recall():
    results = [
        case(0, {"suppressed": True, "duplicate": True}, dec(suppressed="mw", duplicate="s1")),
        case(1, {"suppressed": True, "duplicate": False}, dec(suppressed=None, duplicate="s1")),
        case(2, {"suppressed": False, "duplicate": False}, dec(suppressed="inhibit")),
        case(3, {"suppressed": False, "duplicate": True}, dec()),
    ]
    m = compute_metrics(results)
    assert m["suppression_precision"] == pytest.approx(1 / 2)
    assert m["suppression_recall"] == pytest.approx(1 / 2)
    assert m["duplicate_precision"] == pytest.approx(1 / 2)
    assert m["duplicate_recall"] == pytest.approx(1 / 2)


def test_binary_metrics_none_when_no_positive():
    m = compute_metrics([case(0, {"suppressed": False}, dec())])
    assert m["suppression_precision"] is None and m["suppression_recall"] is None


def test_unsafe_latency_and_tokens():
    results = [case(i, {}, dec(), latency=lat, unsafe=u, tokens=t)
               for i, (lat, u, t) in enumerate([(10, 0, 5), (20, 1, 0), (30, 2, 7), (40, 0, 0)])]
    m = compute_metrics(results)
    assert m["unsafe_actions"] == 3
    assert m["llm_tokens_total"] == 12
    assert m["latency_ms_p50"] == pytest.approx(25.0)
    assert m["latency_ms_p95"] == pytest.approx(38.5)  # 30 + 0.85 * 10


def test_parse_failure_counts_wrong_on_every_carried_field():
    results = [case(0, {"kind": "alert", "team": None}, error="invalid input: body: missing"),
               case(1, {"kind": "alert", "team": None}, dec(kind="alert"))]
    m = compute_metrics(results)
    assert m["kind_accuracy"] == 0.5 and m["team_accuracy"] == 0.5


def test_several_decisions_each_scored():
    results = [case(0, {"kind": "alert"}, dec(kind="alert"), dec(kind="event"), dec())]
    assert compute_metrics(results)["kind_accuracy"] == pytest.approx(2 / 3)


def test_percentile_edges():
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([1, 2, 3, 4, 5], 50) == 3


def test_per_class_and_confusion():
    truth = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", None]
    scores = {s.label: s for s in per_class(truth, pred, ["a", "b", "c"])}
    assert (scores["a"].precision, scores["a"].recall) == (1.0, 0.5)
    assert (scores["b"].precision, scores["b"].recall) == (0.5, 1.0)
    assert scores["c"].f1 == 0.0 and scores["c"].support == 1
    assert confusion(truth, pred, ["a", "b", "c"]) == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    assert macro_f1([], [], ["a"]) is None


def test_class_details_and_tag_breakdown():
    results = [
        case(0, {"kind": "incident", "priority": "P1"}, dec(kind="incident", priority="P2"),
             tags=["slack", "tricky"]),
        case(1, {"kind": "event"}, dec(kind="event"), tags=["slack"]),
    ]
    details = class_details(results)
    kinds = details["kind"]
    assert kinds["labels"] == ["event", "alert", "incident", "request"]
    assert kinds["confusion"][2][2] == 1 and kinds["confusion"][0][0] == 1
    assert details["priority"]["confusion"][0][1] == 1
    tags = tag_breakdown(results)
    assert tags["slack"]["cases"] == 2 and tags["slack"]["kind_accuracy"] == 1.0
    assert tags["tricky"]["all_correct"] == 0.0 and tags["slack"]["all_correct"] == 0.5


def test_correctness_dict_names_scored_fields_only():
    got = correctness({"kind": "request", "priority": "P4", "team": "it"},
                      dec(kind="request", team="it"))
    assert got == {"kind": True, "team": True}
