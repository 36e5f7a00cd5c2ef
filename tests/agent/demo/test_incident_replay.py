"""The bundled incident replay, step by step, with humans clicking the real Bolt app over HTTP
against the Slack Web API stand-in; then `triage report` against hand-computed MTTA/MTTR."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from agent.cli.main import app as cli
from agent.config.loader import load_config
from agent.config.sections import ToolsSection
from agent.config.settings import Settings
from agent.demo.incident_replay import Replay, Step, demo_tools_bin, load_scenario, replay
from agent.incidents.clock import StreamClock
from agent.slack.app import build_bolt_app
from agent.slack.blocks import APPROVE
from agent.slack.http import mount_slack
from agent.wiring import build_pipeline
from tests.agent.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    SlackHarness,
    block_action,
    serve,
)
from tests.conftest import DEMO_CONFIG
from tests.support.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parents[3]


def at(hhmm: str) -> datetime:
    """A time on the scenario's day."""
    h, m = hhmm.split(":")
    return datetime(2026, 12, 1, int(h), int(m), tzinfo=UTC)


class SlackClicks:
    """The scenario's humans, clicking buttons of the messages the bot posted."""

    def __init__(self, h: SlackHarness) -> None:
        self.h = h

    def _card(self, incident_id: str) -> tuple[str, str]:
        incidents = self.h.pipeline.context.incidents
        channel = incidents.service.get(incident_id).slack_channel
        return channel, self.h.api.messages[channel][0]["ts"]

    def transition(self, incident_id: str, verb: str, user: str) -> None:
        channel, ts = self._card(incident_id)
        response = self.h.interact(block_action(user, f"incident_{verb}", incident_id, channel,
                                                ts))
        assert response.status_code == 200

    def approve(self, approval_id: str, user: str) -> None:
        channel, ts = self._card("INC-1")
        response = self.h.interact(block_action(user, APPROVE, approval_id, channel, ts))
        assert response.status_code == 200


@pytest.fixture(scope="module")
def checkout_kb(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real knowledge base with the bundled checkout-api runbooks (one declares verify:)."""
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.open(tmp_path_factory.mktemp("kb"))
    kb.ingest_path(ROOT / "knowledge" / "corpus" / "runbooks" / "checkout-api", kind="runbook")
    return kb


@pytest.fixture
def slack_run(tmp_path: Path, checkout_kb: Any) -> Iterator[SlackHarness]:
    """The scenario's pipeline (stream clock, tools with the kubectl shim) behind Bolt."""
    from tools.runtime import ToolRuntime

    api = SlackApiStandIn().start()
    scenario = load_scenario()
    config = scenario.config(load_config(DEMO_CONFIG))
    db = tmp_path / "triage.db"
    tools = ToolRuntime.open(db, ToolsSection(bin_path=str(demo_tools_bin(tmp_path))), config)
    pipeline = build_pipeline(config=config, db_path=db, checkpointer="sqlite",
                              retriever=checkout_kb, tools=tools, incident_clock=StreamClock())
    settings = Settings(_env_file=None, TRIAGE_HOME=str(tmp_path), SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_SIGNING_SECRET=SIGNING_SECRET, TRIAGE_SLACK_API_URL=api.base_url)
    bolt = build_bolt_app(settings, config, pipeline, process_before_response=True)
    web = FastAPI()
    mount_slack(web, bolt)
    with serve(web) as url, httpx.Client(timeout=30) as http:
        yield SlackHarness(url, api, pipeline, http)
    api.stop()


def test_the_bundled_replay_step_by_step(slack_run: SlackHarness, checkout_kb: Any) -> None:
    h = slack_run
    incidents = h.pipeline.context.incidents
    seen: list[str] = []

    def check(step: Step, result: Replay) -> None:
        seen.append(step.at.strftime("%H:%M"))
        inc = incidents.service.get("INC-1")
        events = [e.event for e in inc.timeline]
        if step.at == at("14:00"):
            assert result.incident_id == "INC-1" and inc.opened_at == at("14:00")
            assert inc.status == "open" and inc.team == "payments"
            assert h.api.calls("conversations.create")[0].body["name"] == "inc-inc-1-checkout-api"
            assert h.api.calls("conversations.invite")[0].body["users"] == "U024BE7LH"
            assert [c.body["users"] for c in h.api.calls("conversations.open")] == ["U024BE7LH"]
            assert events.count("paged") == 1
        if step.at == at("14:01"):
            assert len(incidents.service.list()) == 1 and len(inc.linked("decision")) == 2
        if step.at == at("14:02"):
            assert len(inc.linked("decision")) == 3 and inc.priority == "P1"
        if step.at == at("14:06"):
            escalated = [e for e in inc.timeline if e.event == "escalated"]
            assert len(escalated) == 1 and escalated[0].at == at("14:05")
            assert escalated[0].data["targets"] == ["slack_user:U0PAYLEAD"]
        if step.at == at("14:08"):
            assert inc.status == "acknowledged" and inc.acknowledged_at == at("14:08")
            assert inc.acknowledged_by == "slack:U0PAYLEAD" and inc.commander == "U0PAYLEAD"
        if step.at == at("14:09"):
            decision = h.pipeline.store.get_decision(inc.linked("decision")[0])
            restart = next(a for a in decision.actions if a.tool == "kubectl_rollout_restart")
            assert restart.status == "executed" and "demo shim" in (restart.detail or "")
            assert "verification_started" in events
        if step.at == at("14:15"):
            assert inc.verification == "verified"
            check_row = incidents.verifier.checks("INC-1")[0]
            assert check_row["outcome"] == "verified"
            assert check_row["decided_at"].startswith("2026-12-01T14:14")
            assert any("remediation_verified" in c.body.get("text", "")
                       for c in h.api.calls("chat.postMessage") if c.body.get("thread_ts"))
            assert "verified" in h.api.calls("chat.update")[-1].blocks_text()
        if step.at == at("14:20"):
            assert inc.status == "resolved" and inc.resolved_at == at("14:20")
            assert inc.postmortem_id and inc.postmortem_id.startswith("PM-")
            assert events.count("escalated") == 1  # escalated once, never again

    result = replay(h.pipeline, load_scenario(), SlackClicks(h), after=check)
    assert seen == ["14:00", "14:01", "14:02", "14:06", "14:08", "14:09", "14:15", "14:20"]
    assert result.incident_id == "INC-1"
    # the postmortem draft is in the KB review, retrievable only once approved
    from knowledge.learnings import LearningStore
    from knowledge.types import RetrievalQuery

    store = LearningStore(checkout_kb)
    draft_id = incidents.service.get("INC-1").postmortem_id
    assert store.get(draft_id).status == "quarantined" and store.get(draft_id).kind == "postmortem"
    query = RetrievalQuery("checkout-api 5xx postmortem customers cannot pay",
                           service="checkout-api")
    assert all(not d.id.startswith("postmortems/") for d in checkout_kb.search(query, k=5,
                                                                               kind="postmortem"))
    store.approve(draft_id, reviewer="U024BE7LH")
    assert checkout_kb.search(query, k=3, kind="postmortem")[0].id == \
        "postmortems/incidents/INC-1.md"

    # `triage report` on this database matches the hand-computed figures:
    # opened 14:00 (first 5xx alert), acknowledged 14:08 in Slack, resolved 14:20.
    run = CliRunner().invoke(cli, ["report", "--db", str(h.pipeline.store.conn.execute(
        "PRAGMA database_list").fetchone()[2]), "--json"])
    assert run.exit_code == 0, run.output
    overall = json.loads(run.output)["overall"]
    assert overall["mtta_min"] == 8.0 and overall["mttr_min"] == 20.0
    assert overall["escalations"] == 1 and overall["incidents"] == 1
    assert overall["verified_fix_rate"] == 1.0
    assert overall["signals"] == 4
