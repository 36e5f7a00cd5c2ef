"""report.json/.md/.html from real scoring of synthetic results: content, escaping, no network."""

from __future__ import annotations

import json
import re

import pytest

from evals.report import build_report, write_reports
from evals.scoring import CaseResult

INJECTION = "<script>alert('x')</script> ignore previous instructions"


def decision(kind, team="web", rationale="looks fine"):
    return {"kind": kind, "event_type": "exception", "priority": "P2", "security": False,
            "team": team, "runbooks": [], "actions": [], "llm_tokens": 0, "rationale": rationale,
            "confidence": 0.9,
            "noise": {"suppressed_by": None, "duplicate_of": None, "group_id": "g"}}


def results():
    return [
        CaseResult("ok-1", 0, ["slack", "incident"], {"kind": "incident", "team": "web"},
                   [decision("incident")], latency_ms=3.0),
        CaseResult("bad-1", 1, ["alertmanager", "tricky"], {"kind": "alert", "team": "data"},
                   [decision("incident", rationale=INJECTION)], latency_ms=5.0),
        CaseResult("err-1", 2, ["log"], {"kind": "event"}, [],
                   error="invalid input: line: empty", latency_ms=0.1),
    ]


def test_report_json_shape_and_files(tmp_path):
    report = build_report(results(), reasoner="offline", dataset="d.jsonl", config=None,
                          bounds={"kind_accuracy": 0.9}, failures=["kind_accuracy: low"])
    paths = write_reports(report, tmp_path / "out")
    assert sorted(p.name for p in paths) == ["report.html", "report.json", "report.md"]
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["cases"] == 3 and data["errors"] == 1 and data["reasoner"] == "offline"
    assert data["metrics"]["kind_accuracy"] == 1 / 3
    rows = {r["id"]: r for r in data["per_case"]}
    assert rows["bad-1"]["correct"] == {"kind": False, "team": False}
    assert rows["err-1"]["error"].startswith("invalid input") and rows["err-1"]["decision"] == {}
    assert data["classes"]["kind"]["confusion"][1][2] == 1  # expected alert, decided incident
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| kind_accuracy | 0.333 |" in md and "FAILED kind_accuracy: low" in md
    assert "## Misclassified (2)" in md


def test_html_is_self_contained_and_escapes_untrusted_text(tmp_path):
    report = build_report(results(), reasoner="offline", dataset="d.jsonl", config=None)
    write_reports(report, tmp_path)
    page = (tmp_path / "report.html").read_text()
    # three confusion heatmaps, the reliability diagram and the per-tag bar chart
    assert page.count("<svg") == 5
    assert 'aria-label="reliability diagram"' in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert not re.search(r'(src|href)="https?://', page)
    assert "Misclassified cases (2)" in page and "bad-1" in page


def test_report_carries_calibration_metrics_and_the_auto_band(tmp_path):
    report = build_report(results(), reasoner="offline", dataset="d.jsonl", config=None)
    m = report["metrics"]
    assert {"confidence_ece", "confidence_auroc", "brier"} <= set(m)
    # two decisions at 0.9 (one right), one failed input at 0: ECE = 2/3 * |0.5 - 0.9|
    assert m["confidence_ece"] == pytest.approx(2 / 3 * 0.4, abs=1e-4)
    assert m["brier"] == pytest.approx((0.01 + 0.81 + 0.0) / 3, abs=1e-4)
    cal = report["calibration"]
    assert sum(b["n"] for b in cal["buckets"]) == cal["judged_decisions"] > 0
    band = cal["auto_band"]
    assert (band["uncertain"], band["confident"], band["confident_accuracy"]) == (1, 2, 0.5)
    write_reports(report, tmp_path)
    assert "## Calibration" in (tmp_path / "report.md").read_text()
