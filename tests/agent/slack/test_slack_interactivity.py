"""Buttons over real HTTP: approvals resume the paused graph (approvers only), and
"Mark resolved" → modal → quarantined learning → review by approvers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from agent.slack.blocks import APPROVE, KB_PROMOTE, KB_REJECT, REJECT, RESOLVE, RESOLVE_VIEW
from agent.slack.notify import post_decision
from tests.agent.slack.conftest import BOT_TOKEN, HarnessFactory, alert_body, block_action

APPROVER, OUTSIDER, OTHER_TEAM_APPROVER = "U024BE7LH", "U0ALICE01", "U0WEB0001"


def _buttons(blocks: Any) -> dict[str, str]:
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {el["action_id"]: el["value"] for b in blocks if b["type"] == "actions"
            for el in b["elements"]}


def _paused_alert(h) -> tuple[Any, dict[str, str], str]:
    """Triage a CheckoutApiDown alert (runbook proposes systemd_restart) and notify Slack."""
    [decision] = h.pipeline.triage(alert_body(
        "CheckoutApiDown", {"service": "checkout-api", "severity": "critical",
                            "unit": "checkout-api.service"},
        "checkout-api is down", "2026-12-01T09:00:00Z", "fp-down"))
    assert [a.status for a in decision.actions] == ["awaiting_approval"]
    client = WebClient(token=BOT_TOKEN, base_url=h.api.base_url)
    from agent.slack.posts import SlackPostLog

    posts = SlackPostLog(h.pipeline.store.conn)
    sent = post_decision(client, decision, h.pipeline.context.config, posts=posts,
                         pipeline=h.pipeline)
    assert sent is not None
    again = post_decision(client, decision, h.pipeline.context.config, posts=posts,
                          pipeline=h.pipeline)
    assert again is None  # one notification per signal
    [call] = h.api.calls("chat.postMessage")
    assert call.body["channel"] == "#payments-oncall"
    return decision, _buttons(call.body["blocks"]), sent["ts"]


def test_approval_by_non_approver_is_refused_then_approver_runs_it(
        harness: HarnessFactory, runbook_kb: Any, fake_systemctl: tuple[Path, Path]) -> None:
    bindir, argv_log = fake_systemctl
    h = harness(retriever=runbook_kb, tools_bin=bindir)
    decision, buttons, ts = _paused_alert(h)
    approval_id = buttons[APPROVE]
    assert buttons[REJECT] == approval_id and buttons[RESOLVE] == decision.signal_id
    tools = h.pipeline.context.tools

    for user in (OUTSIDER, OTHER_TEAM_APPROVER):
        resp = h.interact(block_action(user, APPROVE, approval_id, "C0PAYMENTS", ts))
        assert resp.status_code == 200
    refusals = h.api.calls("chat.postEphemeral")
    assert [c.body["user"] for c in refusals] == [OUTSIDER, OTHER_TEAM_APPROVER]
    assert all("Only approvers of team payments" in c.body["text"] for c in refusals)
    assert tools.approvals.get(approval_id).status == "pending"
    assert not argv_log.exists()  # nothing ran
    assert h.pipeline.graph.get_state(
        {"configurable": {"thread_id": decision.signal_id}}).interrupts

    h.interact(block_action(APPROVER, APPROVE, approval_id, "C0PAYMENTS", ts))
    assert argv_log.read_text().split() == ["systemctl", "restart", "--",
                                            "checkout-api.service"]
    record = tools.approvals.get(approval_id)
    assert (record.status, record.approver) == ("approved", APPROVER)
    after = h.pipeline.store.get_decision(decision.signal_id)
    assert [a.status for a in after.actions] == ["executed"]
    [update] = h.api.calls("chat.update")
    assert update.body["ts"] == ts and APPROVE not in _buttons(update.body["blocks"])
    report = h.api.calls("chat.postMessage")[-1]
    assert report.body["thread_ts"] == ts and "executed" in report.body["text"]
    assert f"approved by <@{APPROVER}>" in report.body["text"]

    # a second click (double-click, another approver) never runs it again
    h.interact(block_action(APPROVER, APPROVE, approval_id, "C0PAYMENTS", ts))
    assert "already approved" in h.api.calls("chat.postEphemeral")[-1].body["text"]
    assert len(argv_log.read_text().splitlines()) == 1


def test_reject_by_approver_runs_nothing(harness: HarnessFactory, runbook_kb: Any,
                                         fake_systemctl: tuple[Path, Path]) -> None:
    bindir, argv_log = fake_systemctl
    h = harness(retriever=runbook_kb, tools_bin=bindir)
    decision, buttons, ts = _paused_alert(h)
    h.interact(block_action(APPROVER, REJECT, buttons[REJECT], "C0PAYMENTS", ts))
    assert h.pipeline.context.tools.approvals.get(buttons[REJECT]).status == "rejected"
    assert not argv_log.exists()
    after = h.pipeline.store.get_decision(decision.signal_id)
    assert after.actions[0].status == "refused"
    assert "rejected by" in h.api.calls("chat.postMessage")[-1].body["text"]


def test_mark_resolved_quarantines_a_learning_for_review(
        harness: HarnessFactory, runbook_kb: Any, fake_systemctl: tuple[Path, Path]) -> None:
    h = harness(retriever=runbook_kb, tools_bin=fake_systemctl[0])
    decision, buttons, ts = _paused_alert(h)
    h.interact(block_action(OUTSIDER, RESOLVE, buttons[RESOLVE], "C0PAYMENTS", ts))
    [opened] = h.api.calls("views.open")
    view = opened.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == RESOLVE_VIEW
    submission = {
        "type": "view_submission", "user": {"id": OUTSIDER, "team_id": "T0ACME001"},
        "view": {"id": "V0RESOLVE1", "type": "modal", "callback_id": RESOLVE_VIEW,
                 "private_metadata": view["private_metadata"], "state": {"values": {
                     "fix": {"value": {"type": "plain_text_input",
                                       "value": "Restarted checkout-api after a stuck "
                                                "connection pool; raised pool size to 50."}}}}}}
    assert h.interact(submission).status_code == 200
    review = h.api.calls("chat.postMessage")[-1]
    assert review.body["channel"] == "C0PAYMENTS" and review.body["thread_ts"] == ts
    learning_id = _buttons(review.body["blocks"])[KB_PROMOTE]
    store = h.pipeline.context.retriever
    from knowledge.learnings import LearningStore

    learnings = LearningStore(store)
    stored = learnings.get(learning_id)
    assert stored.status == "quarantined" and stored.signal_ids == [decision.signal_id]
    assert stored.runbook == "CheckoutApiDown.md" and stored.author == OUTSIDER

    h.interact(block_action(OUTSIDER, KB_PROMOTE, learning_id, "C0PAYMENTS", "1764300000.9"))
    assert "Only configured approvers" in h.api.calls("chat.postEphemeral")[-1].body["text"]
    assert learnings.get(learning_id).status == "quarantined"
    # an approver of another team may not promote a payments learning
    h.interact(block_action(OTHER_TEAM_APPROVER, KB_PROMOTE, learning_id, "C0PAYMENTS",
                            "1764300000.9"))
    assert "Only approvers of team payments" in \
        h.api.calls("chat.postEphemeral")[-1].body["text"]
    assert learnings.get(learning_id).status == "quarantined"
    h.interact(block_action(APPROVER, KB_PROMOTE, learning_id, "C0PAYMENTS", "1764300000.9"))
    assert learnings.get(learning_id).status == "approved"
    assert "approved by" in h.api.calls("chat.update")[-1].body["text"]


def test_approval_without_a_paused_run_is_recorded_only(
        harness: HarnessFactory, fake_systemctl: tuple[Path, Path]) -> None:
    bindir, argv_log = fake_systemctl
    h = harness(tools_bin=bindir)
    from tools.runtime import ActionContext

    tools = h.pipeline.context.tools
    pending = tools.call("systemd_restart", {"unit": "orders-db.service"},
                         ActionContext(scope="sig-manual", service="orders-db", team="data"))
    assert pending.status == "approval_required"
    h.interact(block_action("U024BE7LH", APPROVE, pending.approval_id, "C0DATA", "1.1"))
    assert "Only approvers of team data" in h.api.calls("chat.postEphemeral")[-1].body["text"]
    h.interact(block_action("U0DBA0001", APPROVE, pending.approval_id, "C0DATA", "1.1"))
    record = tools.approvals.get(pending.approval_id)
    assert (record.status, record.approver) == ("approved", "U0DBA0001")
    assert not argv_log.exists()  # recorded; running it is the next triage run's job
    assert "approved by <@U0DBA0001>" in h.api.calls("chat.postMessage")[-1].body["text"]
    h.interact(block_action("U0DBA0001", REJECT, pending.approval_id, "C0DATA", "1.1"))
    assert "already approved" in h.api.calls("chat.postEphemeral")[-1].body["text"]


def test_review_command_lists_quarantined_learnings(
        harness: HarnessFactory, runbook_kb: Any) -> None:
    h = harness(retriever=runbook_kb)
    from knowledge.learnings import Learning, LearningStore

    learnings = LearningStore(runbook_kb)
    item = learnings.submit(Learning(symptom="orders-db <replication> lag",
                                     decision="alert P3 data", fix="vacuum the hot table",
                                     signal_ids=["sig-review-1"], author="U0DBA0001"))
    h.command("review", user=OUTSIDER, trigger="t-review-no")
    h.command("review", user="U0DBA0001", trigger="t-review-yes")
    refused, listed = h.api.responses()
    assert "Only configured approvers" in refused.body["text"]
    assert listed.body["response_type"] == "ephemeral"
    assert _buttons(listed.body["blocks"])[KB_PROMOTE] != ""
    assert item.id in listed.blocks_text() and "&lt;replication&gt;" in listed.blocks_text()
    click = block_action("U0DBA0001", KB_REJECT, item.id, "C0DATA", "1764300000.5")
    click["container"]["is_ephemeral"] = True
    click["response_url"] = f"{h.api.url}/actions/review-1"
    h.interact(click)
    assert learnings.get(item.id).status == "rejected"
    answer = h.api.responses()[-1]
    assert answer.method == "response:/actions/review-1" and "rejected" in answer.body["text"]
