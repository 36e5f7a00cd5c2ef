"""Channel and DM messages: triage top-level human messages (never bots, edits or joins)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from agent.slack.deps import SlackDeps
from agent.slack.reply import mentions, strip_mention, triage_message


def is_triageable(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A plain top-level human message that does not mention the bot (app_mention has it)."""
    if event.get("subtype") or event.get("bot_id") or event.get("bot_profile"):
        return False
    if not event.get("user") or not isinstance(event.get("text"), str):
        return False
    if event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
        return False  # replies in threads are conversation, not new signals
    return not mentions(event["text"], bot_user_id)


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register the `message` event listener."""

    @app.event("message")
    def handle_message(body: dict[str, Any], event: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
        """Triage a human message posted in a channel the bot is in, or in a DM."""
        if not is_triageable(event, context.bot_user_id):
            return
        text = strip_mention(event["text"], context.bot_user_id)
        if text:
            triage_message(deps, client, body, event, text)
