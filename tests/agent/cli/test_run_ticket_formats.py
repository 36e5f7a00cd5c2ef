"""`triage run --format jira|servicenow|zendesk` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from tests.conftest import DEMO_CONFIG
from tests.support.ticket_payloads import jira_issue, jira_webhook, snow_request, zendesk_event


@pytest.mark.parametrize(("fmt", "body", "ticket_id"), [
    ("jira", jira_webhook(issue=jira_issue(summary="Checkout is down: every payment fails",
                                           components=["checkout-api"])), "OPS-17"),
    ("servicenow", snow_request(), "REQ0010002"),
    ("zendesk", zendesk_event(), "35"),
])
def test_run_with_ticket_formats(tmp_path: Path, fmt: str, body: dict, ticket_id: str) -> None:
    payload = tmp_path / "t.json"
    payload.write_text(json.dumps(body))
    res = CliRunner().invoke(app, ["run", str(payload), "--format", fmt, "--json", "--home",
                                   str(tmp_path / "h"), "--config", str(DEMO_CONFIG)])
    assert res.exit_code == 0, res.output
    decision = json.loads(res.stdout.splitlines()[0])
    assert decision["source"] == "ticket"
    if fmt == "servicenow":  # a laptop for a new hire: asks for something, nothing broken
        assert decision["kind"] == "request"
    if fmt == "jira":
        assert decision["service"] == "checkout-api" and decision["team"] == "payments"


def test_wrong_ticket_body_exits_2_naming_the_field(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "-", "--format", "zendesk", "--home", str(tmp_path)],
                             input='{"ticket": {"subject": "x"}}')
    assert res.exit_code == 2 and "ticket.id" in res.output
