"""One incident-response process of the outbox kill -9 test (`test_outbox_kill9.py`), started
as a fresh interpreter.

usage: python -m tests.agent.incidents.outbox_kill9_child <db> <slack url> <run> <kill|->
On start it ticks once (delivering what a killed process left: a row it claimed and never
marked sent), then opens one incident at T0 + 10 s * <run> (within the killed claim's two-minute
lease) and ticks, when it is killed at the named point of its page's send.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LEAD = "U0PAYLEAD"


def main(db: Path, slack_url: str, run: int, kill: str | None) -> int:
    """Recover, then open one incident and page its lead over Slack."""
    if kill:
        os.environ["TRIAGE_TEST_KILL_AT"] = kill
    from slack_sdk import WebClient

    from agent.config.escalation import IncidentsSection
    from agent.config.loader import load_config
    from agent.incidents.clock import StreamClock
    from agent.incidents.model import Actor
    from agent.incidents.runtime import IncidentResponse
    from agent.kernel.db import open_db
    from agent.slack.incident_flow import SlackIncidentFlow
    from agent.slack.posts import SlackPostLog
    from tests.agent.incidents.conftest import T0

    section = IncidentsSection.model_validate({"escalation": [
        {"name": "payments", "team": "payments", "levels": [
            {"targets": [{"slack_user": LEAD}], "timeout": "5m"}]}]})
    config = load_config(ROOT / "agent" / "demo" / "config.yaml").model_copy(
        update={"incidents": section})
    at = T0 + timedelta(seconds=10 * run)
    response = IncidentResponse.open(open_db(db), config, clock=StreamClock(start=at))
    client = WebClient(token="xoxb-outbox-kill9", base_url=slack_url)
    response.escalation.notifiers.append(
        SlackIncidentFlow(client, config, response, SlackPostLog(open_db(db))))
    response.tick(at)
    if kill:
        response.service.open(f"Checkout failing ({run})", "P2", Actor("alice", "cli"),
                              service="checkout-api", at=at)
        response.tick(at)
    return 0


if __name__ == "__main__":
    db_arg, url, run_arg, spec = sys.argv[1:5]
    code = main(Path(db_arg), url, int(run_arg), None if spec == "-" else spec)
    os._exit(code)
