"""`triage tickets poll | outbox | drain` through the real CLI against the Jira stand-in."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from agent.cli.main import app
from tests.agent.tickets.conftest import ENV
from tests.conftest import DEMO_CONFIG
from tests.support.ticket_payloads import jira_issue


def test_poll_writes_back_and_the_cursor_holds(tmp_path: Path, jira) -> None:
    jira.add_issue(jira_issue("OPS-31", "Checkout is down: every card payment fails",
                              "All customers get error 500 at checkout.",
                              components=["checkout-api"]))
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    config["tickets"] = {"instances": {"acme-jira": {
        "system": "jira", "base_url": jira.base_url,
        "auth": {"username_env": "JIRA_USER", "password_env": "JIRA_TOKEN"},
        "poll": {"enabled": True, "start": "2026-12-01T08:00:00Z"}}}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    args = ["--home", str(tmp_path / "home"), "--config", str(path)]
    runner = CliRunner(env=ENV)
    first = runner.invoke(app, ["tickets", "poll", *args])
    assert first.exit_code == 0, first.output
    assert "acme-jira: 1 tickets triaged" in first.output
    assert "write-back: 2 steps sent, 0 to retry, 0 parked" in first.output
    assert len(jira.comment_texts("OPS-31")) == 1
    again = runner.invoke(app, ["tickets", "poll", *args])
    assert "0 parked" in again.output and len(jira.comment_texts("OPS-31")) == 1
    outbox = runner.invoke(app, ["tickets", "outbox", *args])
    assert outbox.exit_code == 0 and "done=2" in outbox.output
    missing = CliRunner(env={"JIRA_USER": "", "JIRA_TOKEN": ""}).invoke(
        app, ["tickets", "poll", "--instance", "nope", *args])
    assert missing.exit_code == 2 and "--instance" in missing.output
