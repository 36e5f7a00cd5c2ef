"""`triage eval` through the real root app: default `run` form, `compare`, exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agent.cli.main import app

runner = CliRunner()


def report(path, **metrics):
    path.write_text(json.dumps({"cases": 1, "reasoner": "offline", "metrics": metrics}))
    return path


def test_compare_subcommand_exit_codes(tmp_path):
    base = report(tmp_path / "base.json", kind_accuracy=0.9, latency_ms_p95=10.0)
    same = report(tmp_path / "same.json", kind_accuracy=0.905, latency_ms_p95=50.0)
    worse = report(tmp_path / "worse.json", kind_accuracy=0.85, latency_ms_p95=10.0)
    ok = runner.invoke(app, ["eval", "compare", str(base), str(same)])
    assert ok.exit_code == 0, ok.output
    assert "kind_accuracy" in ok.output and "warning" in ok.output  # latency only warns
    bad = runner.invoke(app, ["eval", "compare", str(base), str(worse), "--tolerance", "0.01"])
    assert bad.exit_code == 1 and "regression" in bad.output
    loose = runner.invoke(app, ["eval", "compare", str(base), str(worse), "--tolerance", "0.1"])
    assert loose.exit_code == 0
    missing = runner.invoke(app, ["eval", "compare", str(base), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read report" in missing.output


def test_default_run_form_reports_bad_line(tmp_path):
    data = tmp_path / "cases.jsonl"
    data.write_text('{"id": "a", "input": {"format": "slack", "payload": "hi"}}\n'
                    '{"id": "b", "input": {"format": "slack"}}\n')
    result = runner.invoke(app, ["eval", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "cases.jsonl:2: input.payload: Field required" in result.output


def test_bad_bound_is_exit_2(tmp_path):
    data = tmp_path / "cases.jsonl"
    data.write_text('{"id": "a", "input": {"format": "slack", "payload": "hi"}}\n')
    result = runner.invoke(app, ["eval", str(data), "--fail-under", "kind_acc=0.5"])
    assert result.exit_code == 2 and "unknown metric 'kind_acc'" in result.output


def test_eval_help_lists_both_commands():
    result = runner.invoke(app, ["eval", "--help"])
    assert result.exit_code == 0 and "compare" in result.output and "run" in result.output
