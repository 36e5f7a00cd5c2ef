"""`triage run` through the real CLI: JSON decisions, stdin, bad input with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from tests.conftest import DEMO_CONFIG

REQUIRED = {"signal_id", "source", "fingerprint", "received_at", "kind", "event_type",
            "security", "impact", "urgency", "priority", "severity", "service", "team", "noise",
            "runbooks", "postmortems", "actions", "confidence", "rationale", "citations",
            "reasoner", "llm_tokens"}

AM_BODY = {
    "version": "4", "groupKey": "{}:{alertname=\"HighErrorRate\"}", "truncatedAlerts": 0,
    "status": "firing", "receiver": "triage", "groupLabels": {"alertname": "HighErrorRate"},
    "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
    "alerts": [
        {"status": "firing", "labels": {"alertname": "HighErrorRate", "service": "checkout-api",
                                        "severity": "critical"},
         "annotations": {"summary": "5xx error rate 12% on checkout-api"},
         "startsAt": "2026-12-01T09:30:00Z", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "http://prom/graph", "fingerprint": "e1"},
        {"status": "firing", "labels": {"alertname": "DiskFilling", "service": "reporting",
                                        "severity": "warning"},
         "annotations": {"summary": "disk /data will fill in 3 days"},
         "startsAt": "2026-12-01T09:31:00Z", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "http://prom/graph", "fingerprint": "e2"},
    ]}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_run_json_prints_contract_decisions(runner: CliRunner, tmp_path: Path) -> None:
    payload = tmp_path / "am.json"
    payload.write_text(json.dumps(AM_BODY))
    res = runner.invoke(app, ["--home", str(tmp_path / "home"), "run", str(payload), "--config",
                              str(DEMO_CONFIG), "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == 2
    assert set(lines[0]) >= REQUIRED
    # a 5xx breach on a tier-1 customer-facing service: measured user impact, requests
    # failing now (CONTRACTS §1 incident urgency: high even when part of the traffic fails)
    assert (lines[0]["kind"], lines[0]["priority"], lines[0]["team"]) == (
        "incident", "P1", "payments")
    assert lines[0]["received_at"].endswith("Z")
    assert (lines[1]["kind"], lines[1]["event_type"], lines[1]["team"]) == (
        "alert", "warning", "data")
    assert (tmp_path / "home" / "triage.db").exists()


def test_run_reads_stdin_and_plain_text(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", "-", "--format", "ticket", "--json", "--home",
                              str(tmp_path), "--config", str(DEMO_CONFIG)],
                        input="Please give me access to the finance share\nThanks!")
    assert res.exit_code == 0, res.output
    decision = json.loads(res.stdout.splitlines()[0])
    assert (decision["source"], decision["kind"]) == ("ticket", "request")


@pytest.mark.parametrize(("body", "fmt", "needle"), [
    ('{"alerts": [{"labels": "oops"}], "version": "4"}', "alertmanager", "labels"),
    ("{not json", "alertmanager", "invalid input"),
    ('{"metric": "cpu_usage_percent"}', "metric", "value"),
])
def test_bad_input_exits_2_with_one_line_error(runner: CliRunner, tmp_path: Path, body: str,
                                               fmt: str, needle: str) -> None:
    res = runner.invoke(app, ["run", "-", "--format", fmt, "--home", str(tmp_path)], input=body)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("error: ") and needle in err and "\n" not in err


def test_unknown_config_key_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("servicez: {}\n")
    res = runner.invoke(app, ["run", "-", "--config", str(cfg), "--home", str(tmp_path)],
                        input="hello")
    assert res.exit_code == 2 and "servicez: unknown key" in res.stderr


def test_llm_reasoner_without_endpoint_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "TRIAGE_LLM_MODEL": None}
    res = runner.invoke(app, ["run", "-", "--reasoner", "llm", "--home", str(tmp_path)],
                        input="checkout is down", env=env)
    assert res.exit_code == 2
    assert "OPENAI_BASE_URL" in res.stderr and "TRIAGE_LLM_MODEL" in res.stderr
