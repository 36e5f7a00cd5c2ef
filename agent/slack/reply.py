"""Triage a Slack message and answer in its thread, at most once per Slack delivery."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk import WebClient

from agent.kernel.decision import Decision
from agent.kernel.errors import SignalParseError
from agent.slack.blocks import decision_blocks, headline
from agent.slack.chat import why_text
from agent.slack.deps import SlackDeps
from agent.slack.notify import pending_approvals, post_decision
from agent.slack.text import safe

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """The message text without the leading mention(s) of the bot."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def mentions(text: str, user_id: str | None) -> bool:
    """True when the text mentions `user_id` (app_mention handles those messages)."""
    return bool(user_id) and any(m.startswith(f"<@{user_id}") for m in _MENTION.findall(text))


def delivery_key(body: dict[str, Any], event: dict[str, Any]) -> str:
    """The Slack event id (stable across retries), else channel + ts of the message."""
    if body.get("event_id"):
        return f"slack:{body['event_id']}"
    return f"slack:{event.get('channel')}:{event.get('ts')}"


def message_payload(event: dict[str, Any], text: str, team_id: str | None) -> dict[str, Any]:
    """The Slack message event as the `slack` input format expects it (text is data only)."""
    payload = {"type": "message", "text": text}
    for key in ("user", "channel", "ts", "thread_ts", "channel_type"):
        if isinstance(event.get(key), str):
            payload[key] = event[key]
    if team_id:
        payload["team"] = team_id
    return payload


def triage_message(deps: SlackDeps, client: WebClient, body: dict[str, Any],
                   event: dict[str, Any], text: str) -> list[Decision]:
    """Triage the text once per delivery and reply in the message's thread."""
    key = delivery_key(body, event)
    if not deps.posts.claim(key):
        log.info("slack redelivery ignored", extra={"delivery_key": key})
        return []
    channel, thread = event.get("channel"), event.get("thread_ts") or event.get("ts")
    try:
        decisions = deps.triage(message_payload(event, text, body.get("team_id")), "slack", key)
    except SignalParseError as exc:
        client.chat_postMessage(channel=channel, thread_ts=thread,
                                text=f"Cannot triage this message: {safe(str(exc), 300)}")
        return []
    for decision in decisions:
        reply = client.chat_postMessage(
            channel=channel, thread_ts=thread, text=headline(decision), unfurl_links=False,
            blocks=decision_blocks(decision,
                                   approvals=pending_approvals(deps.pipeline, decision.signal_id)))
        deps.posts.record(key, str(reply.get("channel") or channel), str(reply.get("ts")))
        deps.posts.link_thread(str(channel), str(thread), decision.signal_id)
        post_decision(client, decision, deps.config, posts=deps.posts, pipeline=deps.pipeline)
    return decisions


def answer_in_thread(deps: SlackDeps, client: WebClient, body: dict[str, Any],
                     event: dict[str, Any], question: str) -> bool:
    """Answer a mention inside a decision's thread as a question about that decision.

    Returns False when the thread is not about a known decision (then the text is triaged).
    """
    channel, thread = event.get("channel"), event.get("thread_ts")
    if not channel or not thread:
        return False
    signal_id = deps.posts.thread_signal(str(channel), str(thread))
    decision = deps.pipeline.store.get_decision(signal_id) if signal_id else None
    if decision is None:
        return False
    if not deps.posts.claim(delivery_key(body, event)):
        return True
    client.chat_postMessage(channel=channel, thread_ts=thread, unfurl_links=False,
                            text=why_text(deps, decision, question))
    return True
