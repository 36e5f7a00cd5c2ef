"""Slack message → one Signal: plain message text, a message event, or an Events API envelope.

Accepted: `{"type": "message", "text", "user", "channel", "ts", ...}`, `{"event": {...}, ...}`
(Events API `event_callback`; `message_changed` reads the edited `message`; a bot message with
empty text uses its attachments' pretext/title/text), or a bare string.
labels keep channel, user, slack_team, thread_ts, subtype, bot_id; reporter = user (or bot);
timestamp = ts (a unix epoch string); fingerprint = hash of the normalized text. Slack markup
(`<url|label>`, `<#C1|name>`, `&amp;`) is decoded in `text`; raw keeps it as received.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.fingerprint import text_fingerprint
from agent.signals.formats.common import (
    fail,
    first_line,
    first_str,
    join_text,
    opt_str,
    parse_time,
    require_object,
)

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_CHANNEL = re.compile(r"<#\w+>")
_BARE = re.compile(r"<((?:https?|mailto):[^<>|]+)>")
_LABEL_KEYS = ("channel", "user", "thread_ts", "subtype", "bot_id", "channel_type",
               "username")


def decode_markup(text: str) -> str:
    """Turn Slack mrkdwn references into plain text (`<#C1|ops>` → `#ops`, links keep labels)."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("#"):
            return f"#{label}"
        if target.startswith("@"):
            return f"@{label}"
        return f"{label} ({target})"

    text = _LINK.sub(link, text)
    text = _BARE.sub(r"\1", text)
    text = _CHANNEL.sub(lambda m: m.group(0)[1:-1], text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _attachment_text(event: dict[str, Any]) -> str | None:
    """Bots often post an empty `text` with the content in legacy attachments."""
    attachments = event.get("attachments")
    if not isinstance(attachments, list):
        return None
    parts = [first_str(item, (key,)) for item in attachments if isinstance(item, dict)
             for key in ("pretext", "title", "text", "fallback")]
    return join_text(parts) or None


def _text_signal(text: str, labels: dict[str, str], reporter: str | None,
                 timestamp: datetime | None, raw: Any, received_at: datetime,
                 new_id: Callable[[], str]) -> Signal:
    plain = decode_markup(text.strip())
    return Signal(
        signal_id=new_id(),
        source="slack",
        fingerprint=text_fingerprint("slack", plain),
        title=first_line(plain),
        text=plain,
        labels=labels,
        reporter=reporter,
        starts_at=timestamp,
        timestamp=timestamp or received_at,
        received_at=received_at,
        raw=raw,
    )


def parse_slack(payload: Any, *, received_at: datetime, new_id: Callable[[], str]) -> list[Signal]:
    """Parse a Slack message (text, message event or Events API envelope) into one Signal."""
    if isinstance(payload, str):
        if not payload.strip():
            fail("text", "empty message")
        return [_text_signal(payload, {}, None, None, payload, received_at, new_id)]
    body = require_object(payload, "payload")
    prefix = ""
    event = body
    if "event" in body or body.get("type") == "event_callback":
        event = require_object(body.get("event"), "event")
        prefix = "event."
    if not isinstance(event.get("text"), str) and isinstance(event.get("message"), dict):
        event = event["message"]
        prefix += "message."
    text = opt_str(event.get("text"), f"{prefix}text") or _attachment_text(event)
    if not text:
        fail(f"{prefix}text", "required: the message text")
    labels = {key: value for key in _LABEL_KEYS
              if (value := opt_str(event.get(key), f"{prefix}{key}"))}
    team = opt_str(event.get("team") or body.get("team_id"), "team_id")
    if team:
        labels["slack_team"] = team
    stamp_key = next((k for k in ("ts", "event_ts") if event.get(k) not in (None, "")), None)
    timestamp = parse_time(event[stamp_key], f"{prefix}{stamp_key}") if stamp_key else None
    reporter = first_str(event, ("user", "username", "bot_id"))
    return [_text_signal(text, labels, reporter, timestamp, body, received_at, new_id)]
