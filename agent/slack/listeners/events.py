"""Events API listeners other than plain messages: app mentions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from agent.slack.deps import SlackDeps
from agent.slack.reply import answer_in_thread, strip_mention, triage_message

HELP = ("Mention me with what you see (\"@triage checkout returns 500s\") or use "
        "`/triage <text>`, `/triage why <signal_id>`, "
        "`/triage maintenance <service> <duration> <reason>`. In a decision's thread, "
        "mention me with a question about it.")


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register the `app_mention` listener."""

    @app.event("app_mention")
    def handle_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
        """In a decision's thread: answer the question; elsewhere: triage the text."""
        if event.get("subtype") or event.get("bot_id"):
            return
        text = strip_mention(event.get("text") or "", context.bot_user_id)
        if not text:
            client.chat_postMessage(channel=event.get("channel"),
                                    thread_ts=event.get("thread_ts") or event.get("ts"),
                                    text=HELP)
            return
        if not answer_in_thread(deps, client, body, event, text):
            triage_message(deps, client, body, event, text)
