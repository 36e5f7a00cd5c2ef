"""Interactivity: Approve / Reject risky actions, review learnings, "Mark resolved"."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agent.slack.approvals import decide_from_slack
from agent.slack.blocks import (
    APPROVE,
    KB_PROMOTE,
    KB_REJECT,
    REJECT,
    RESOLVE,
    decision_blocks,
    headline,
    resolve_modal,
)
from agent.slack.deps import SlackDeps
from agent.slack.notify import pending_approvals
from agent.slack.permissions import is_any_approver, may_review
from agent.slack.text import code, safe

log = logging.getLogger(__name__)


def where(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(channel, message ts, thread ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = message.get("ts") or container.get("message_ts")
    return channel, ts, message.get("thread_ts") or ts


def _update(client: WebClient, channel: str | None, ts: str | None, text: str,
            blocks: list[dict[str, Any]]) -> None:
    """Refresh the clicked message in place (best effort: ephemeral ones cannot be edited)."""
    if not channel or not ts:
        return
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("message update failed", extra={"channel": channel, "ts": ts,
                                                    "error": exc.response.get("error")})


def _ephemeral(client: WebClient, body: dict[str, Any], text: str) -> None:
    channel, _, thread = where(body)
    client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text,
                              thread_ts=thread)


def handle_approval(deps: SlackDeps, client: WebClient, body: dict[str, Any],
                    action: dict[str, Any], accept: bool) -> None:
    """Decide on an approval request, refresh the message and report in its thread."""
    user = body["user"]["id"]
    outcome = decide_from_slack(deps, str(action.get("value") or ""), user, accept)
    if not outcome.ok:
        _ephemeral(client, body, f":no_entry: {safe(outcome.message, 500)}")
        return
    channel, ts, thread = where(body)
    decision = outcome.decision
    status = "unknown"
    if decision is not None:
        status = next((a.status for a in decision.actions if a.tool == outcome.tool), status)
        _update(client, channel, ts, headline(decision), decision_blocks(
            decision, approvals=pending_approvals(deps.pipeline, decision.signal_id)))
    client.chat_postMessage(channel=channel, thread_ts=thread, text=(
        f"{code(outcome.tool, 60)} {outcome.message}; action status: *{status}*"))


def _learning_teams(deps: SlackDeps, learning_id: str) -> set[str]:
    """The teams of the decisions a learning was written from (empty when unknown)."""
    learning = deps.learnings.get(learning_id) if deps.learnings is not None else None
    if learning is None:
        return set()
    store = deps.pipeline.store
    return {d.team for sid in learning.signal_ids
            if (d := store.get_decision(sid)) is not None and d.team}


def handle_review(deps: SlackDeps, client: WebClient, body: dict[str, Any],
                  action: dict[str, Any], promote: bool, respond: Respond) -> None:
    """Promote or reject a quarantined learning (configured approvers only)."""
    user = body["user"]["id"]
    if not is_any_approver(deps.config, user):
        _ephemeral(client, body, ":no_entry: Only configured approvers may review learnings.")
        return
    if deps.learnings is None:
        _ephemeral(client, body, "No knowledge base is open here.")
        return
    from knowledge.learnings import ReviewError

    learning_id = str(action.get("value") or "")
    teams = _learning_teams(deps, learning_id)
    if not may_review(deps.config, user, teams):
        _ephemeral(client, body, ":no_entry: Only approvers of team "
                   f"{safe(', '.join(sorted(teams)), 100)} may review this learning.")
        return
    try:
        if promote:
            learning = deps.learnings.approve(learning_id, reviewer=user)
        else:
            learning = deps.learnings.reject(learning_id, reviewer=user, note="slack review")
    except ReviewError as exc:
        _ephemeral(client, body, f":no_entry: {safe(str(exc), 500)}")
        return
    channel, ts, _ = where(body)
    text = f":books: Learning {code(learning.id)} {learning.status} by <@{safe(user, 30)}>"
    if (body.get("container") or {}).get("is_ephemeral"):  # from `/triage review`
        respond(replace_original=False, response_type="ephemeral", text=text)
    else:
        _update(client, channel, ts, text,
                [{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    log.info("learning reviewed", extra={"learning_id": learning.id, "status": learning.status,
                                         "reviewer": user})


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register the button listeners."""

    @app.action(APPROVE)
    def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                client: WebClient) -> None:
        """Approve a risky action (approvers of the signal's team only)."""
        ack()
        handle_approval(deps, client, body, action, accept=True)

    @app.action(REJECT)
    def reject(ack: Ack, body: dict[str, Any], action: dict[str, Any],
               client: WebClient) -> None:
        """Reject a risky action (approvers of the signal's team only)."""
        ack()
        handle_approval(deps, client, body, action, accept=False)

    @app.action(KB_PROMOTE)
    def promote(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                respond: Respond) -> None:
        """Promote a quarantined learning into retrieval."""
        ack()
        handle_review(deps, client, body, action, True, respond)

    @app.action(KB_REJECT)
    def reject_learning(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                        client: WebClient, respond: Respond) -> None:
        """Reject a quarantined learning."""
        ack()
        handle_review(deps, client, body, action, False, respond)

    @app.action(RESOLVE)
    def mark_resolved(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                      client: WebClient) -> None:
        """Open the "what fixed it" modal; its submission becomes a quarantined learning."""
        ack()
        signal_id = str(action.get("value") or "")
        decision = deps.pipeline.store.get_decision(signal_id)
        if decision is None:
            _ephemeral(client, body, f"No decision for signal {code(signal_id, 80)}.")
            return
        channel, _, thread = where(body)
        client.views_open(trigger_id=body["trigger_id"], view=resolve_modal(
            signal_id, headline(decision), {"channel": channel or "", "thread_ts": thread or ""}))
