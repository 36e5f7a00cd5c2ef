"""`triage slack` (Socket Mode): registered, and it names the missing token with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from tests.conftest import DEMO_CONFIG


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
                 "TRIAGE_SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)


def test_slack_command_needs_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    args = ["slack", "--home", str(tmp_path), "--config", str(DEMO_CONFIG)]
    missing_bot = runner.invoke(app, args)
    assert missing_bot.exit_code == 2
    assert "SLACK_BOT_TOKEN is not set" in missing_bot.output
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-real-looking")
    missing_app = runner.invoke(app, args)
    assert missing_app.exit_code == 2
    assert "SLACK_APP_TOKEN is not set" in missing_app.output
    assert "xoxb-1-2-real-looking" not in missing_app.output


def test_slack_command_is_listed() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "slack" in result.output
