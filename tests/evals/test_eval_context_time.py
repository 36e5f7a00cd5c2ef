"""Eval context without its own timestamp is contemporaneous with the case input (CONTRACTS §1)."""

from __future__ import annotations

import json
from pathlib import Path

from agent.config.loader import load_config
from evals.dataset import load_dataset
from evals.runner import BASE_TIME, RunSpec, context_base_time, run_cases
from tests.support.payloads import am_body

DEMO = Path(__file__).resolve().parents[2] / "agent" / "demo" / "config.yaml"
STARTS = "2026-03-02T08:00:00Z"


def _dataset(tmp_path: Path, input_payload: dict | str, fmt: str) -> Path:
    case = {"id": "ctx-1", "tags": ["t"],
            "context": [{"format": "slack",
                         "payload": "Customers report errors on checkout-api, orders fail"}],
            "input": {"format": fmt, "payload": input_payload},
            "expected": {"kind": "incident"}}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case) + "\n")
    return path


def test_untimestamped_slack_context_promotes_a_timed_alert(tmp_path: Path) -> None:
    body = am_body("ConnectionPoolExhausted", {"service": "checkout-api", "severity": "critical"},
                   "all DB connections in use", STARTS, "fp-1")
    cases = load_dataset(_dataset(tmp_path, body, "alertmanager"))
    assert context_base_time(cases[0]).isoformat().startswith("2026-03-02T07:59:59")
    [result] = run_cases(cases, RunSpec(config=load_config(DEMO)))
    [decision] = result.decisions
    assert decision["kind"] == "incident"
    assert "correlated" in decision["rationale"]


def test_input_without_time_keeps_the_base_clock(tmp_path: Path) -> None:
    cases = load_dataset(_dataset(tmp_path, "checkout looks slow to me", "slack"))
    assert context_base_time(cases[0]) == BASE_TIME
