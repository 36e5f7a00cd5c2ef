"""The `/triage` slash command: triage text, explain a decision, declare maintenance/silence."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from agent.kernel.errors import SignalParseError
from agent.slack.blocks import decision_blocks, headline, learning_blocks
from agent.slack.chat import why_text
from agent.slack.command import (
    USAGE,
    CommandError,
    Help,
    IncidentCommand,
    Review,
    Suppress,
    TriageText,
    Why,
    parse_command,
)
from agent.slack.deps import SlackDeps
from agent.slack.incident_command import run_incident
from agent.slack.notify import pending_approvals, post_decision
from agent.slack.permissions import is_any_approver, may_suppress
from agent.slack.text import code, safe

log = logging.getLogger(__name__)


def run_triage(deps: SlackDeps, client: WebClient, body: dict[str, Any], respond: Respond,
               command: TriageText) -> None:
    """Triage the command text once per invocation and answer in the channel."""
    key = f"slack-cmd:{body.get('trigger_id') or body.get('response_url')}"
    if not deps.posts.claim(key):
        return
    payload = {"type": "message", "text": command.text, "user": body.get("user_id"),
               "channel": body.get("channel_id"), "team": body.get("team_id")}
    try:
        decisions = deps.triage({k: v for k, v in payload.items() if v}, "slack",
                                         delivery_key=key)
    except SignalParseError as exc:
        respond(response_type="ephemeral", text=f"Cannot triage that: {safe(str(exc), 300)}")
        return
    for decision in decisions:
        approvals = pending_approvals(deps.pipeline, decision.signal_id)
        respond(response_type="in_channel", text=headline(decision),
                blocks=decision_blocks(decision, approvals=approvals))
        post_decision(client, decision, deps.config, posts=deps.posts, pipeline=deps.pipeline)


def run_why(deps: SlackDeps, respond: Respond, command: Why) -> None:
    """Explain a stored decision (ephemeral)."""
    decision = deps.pipeline.store.get_decision(command.signal_id)
    if decision is None:
        respond(response_type="ephemeral",
                text=f"No decision for signal {code(command.signal_id, 80)}.")
        return
    respond(response_type="ephemeral", text=why_text(deps, decision, command.question))


def run_suppress(deps: SlackDeps, body: dict[str, Any], respond: Respond,
                 command: Suppress) -> None:
    """Declare a runtime maintenance window or silence, if the user may."""
    user = body.get("user_id")
    allowed, why = may_suppress(deps.config, command.service, user)
    if not allowed:
        log.warning("suppression refused", extra={"user": user, "service": command.service})
        respond(response_type="ephemeral", text=f"Refused: {safe(why, 300)}.")
        return
    start = deps.clock()
    end = start + command.duration
    gate = deps.pipeline.noise
    creator = f"slack:{user}"
    if command.kind == "maintenance":
        made = gate.add_window(command.matchers, start, end, command.reason, creator)
    else:
        made = gate.add_silence(command.matchers, start, end, command.reason, creator)
    log.info("suppression added", extra={"id": made.id, "kind": made.kind, "user": user})
    respond(response_type="in_channel", text=(
        f":construction: {command.kind} {code(made.id)} for "
        f"{code(', '.join(command.matchers), 300)} from {start.isoformat(timespec='minutes')} "
        f"to {end.isoformat(timespec='minutes')}: {safe(command.reason, 500)} "
        f"(by <@{safe(user, 30)}>)"))


def run_review(deps: SlackDeps, body: dict[str, Any], respond: Respond, limit: int = 5) -> None:
    """Show the oldest quarantined learnings with review buttons (approvers only)."""
    if not is_any_approver(deps.config, body.get("user_id")):
        respond(response_type="ephemeral", text="Only configured approvers review learnings.")
        return
    if deps.learnings is None:
        respond(response_type="ephemeral", text="No knowledge base is open here.")
        return
    pending = deps.learnings.list("quarantined")
    if not pending:
        respond(response_type="ephemeral", text="No learnings are waiting for review.")
        return
    blocks: list[dict[str, Any]] = []
    for item in pending[:limit]:
        blocks += learning_blocks(item.id, item.symptom, item.fix, item.flags, item.author)
    respond(response_type="ephemeral", blocks=blocks,
            text=f"{len(pending)} learning(s) waiting for review")


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register `/triage`."""

    @app.command("/triage")
    def handle_triage(ack: Ack, body: dict[str, Any], respond: Respond,
                      client: WebClient) -> None:
        """Acknowledge at once, then run the subcommand."""
        ack()
        try:
            command = parse_command(body.get("text") or "")
        except CommandError as exc:
            respond(response_type="ephemeral", text=f"{safe(str(exc), 500)}\n{USAGE}")
            return
        if isinstance(command, Help):
            respond(response_type="ephemeral", text=USAGE)
        elif isinstance(command, Why):
            run_why(deps, respond, command)
        elif isinstance(command, Suppress):
            run_suppress(deps, body, respond, command)
        elif isinstance(command, Review):
            run_review(deps, body, respond)
        elif isinstance(command, IncidentCommand):
            run_incident(deps, body, respond, command)
        else:
            run_triage(deps, client, body, respond, command)
