"""The eval harness scores verified-fix outcomes on cases that carry `expected.verified`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agent.cli.main import app as cli
from tests.conftest import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "knowledge" / "corpus" / "runbooks" / "checkout-api" / "CheckoutHigh5xxRate.md"


def _alert(status: str, ends: str) -> dict[str, Any]:
    alert = {"status": status, "fingerprint": "c5xx0001", "startsAt": "2026-12-01T14:00:00Z",
             "endsAt": ends, "generatorURL": "http://prometheus:9090/graph",
             "labels": {"alertname": "CheckoutHighErrorRate", "service": "checkout-api",
                        "severity": "critical", "namespace": "payments"},
             "annotations": {"summary": "5xx error rate 9% on checkout-api for 5 minutes"}}
    return {"version": "4", "status": status, "receiver": "triage", "groupKey": "k",
            "groupLabels": {}, "externalURL": "http://alertmanager:9093", "alerts": [alert]}


def test_verified_fix_accuracy_over_cases_with_followups(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    shutil.copy(RUNBOOK, tmp_path / "kb" / RUNBOOK.name)  # declares verify: alert_resolves 15m
    firing = {"format": "alertmanager", "payload": _alert("firing", "0001-01-01T00:00:00Z")}
    cases = [
        {"id": "resolves-in-window", "input": firing, "followup": [
            {"format": "alertmanager", "payload": _alert("resolved", "2026-12-01T14:09:00Z")}],
         "expected": {"verified": "verified"}},
        {"id": "resolves-too-late", "input": firing, "followup": [
            {"format": "alertmanager", "payload": _alert("resolved", "2026-12-01T14:40:00Z")}],
         "expected": {"verified": "not_verified"}},
        {"id": "claims-verified-but-never-resolves", "input": firing, "followup": [
            {"format": "ticket", "payload": {"title": "is checkout ok now?", "body": "asking",
                                             "created_at": "2026-12-01T14:05:00Z"}}],
         "expected": {"verified": "verified"}},  # wrong on purpose: scored as a miss
        {"id": "no-followup-field", "input": firing, "expected": {"kind": "incident"}},
    ]
    data = tmp_path / "cases.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["eval", str(data), "--kb", str(tmp_path / "kb"), "--tools",
                                   "dry-run", "--config", str(DEMO_CONFIG), "--out", str(out)])
    assert run.exit_code == 0, run.output
    report = json.loads((out / "report.json").read_text())
    assert report["metrics"]["verified_fix_accuracy"] == round(2 / 3, 4) or abs(
        report["metrics"]["verified_fix_accuracy"] - 2 / 3) < 1e-6
    per_case = {c["id"]: c for c in report["per_case"]}
    assert per_case["resolves-in-window"]["correct"]["verified"] is True
    assert per_case["resolves-too-late"]["correct"]["verified"] is True
    assert per_case["claims-verified-but-never-resolves"]["correct"]["verified"] is False
    assert "verified" not in per_case["no-followup-field"]["correct"]
