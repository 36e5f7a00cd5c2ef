"""Post alert and incident decisions to their team's channel (once per signal).

Exactly once across a crash: the post carries its key in the message metadata. When a process
died between claiming the key and recording where the message went, the next one takes the
claim over and looks for the key in the channel's latest messages before it posts (the same
mechanism as the escalation outbox's Slack pages, `agent.slack.incident_flow`).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision
from agent.kernel.faults import fault_at
from agent.slack.blocks import PendingApproval, decision_blocks, headline
from agent.slack.posts import SlackPostLog

log = logging.getLogger(__name__)
NOTIFIED_KINDS = ("alert", "incident")
CARD_EVENT = "triage_decision_card"
HISTORY_LIMIT = 200
# test-only kill points (docs/testing.md): after the claim, and after the post before its record
FAULT_POINTS = ["slack_post", "slack_record"]


def should_notify(decision: Decision) -> bool:
    """Alerts and incidents that are neither duplicates nor suppressed (events never page)."""
    noise = decision.noise
    return (decision.kind in NOTIFIED_KINDS and not noise.duplicate_of
            and not noise.suppressed_by and noise.notify)


def team_channel(decision: Decision, config: OrgConfig) -> str | None:
    """The configured Slack channel of the decision's team, or None."""
    team = config.teams.get(decision.team or "")
    return team.slack_channel if team else None


class ApprovalSource(Protocol):
    """Where pending approvals come from (the facade, `agent.pipeline.Pipeline`)."""

    def pending_approvals(self, signal_id: str | None = None) -> list[Any]:
        """Pending approval requests (records with id, tool, args, risk, expires_at)."""
        ...


def pending_approvals(source: ApprovalSource | None, signal_id: str) -> list[PendingApproval]:
    """Pending approval requests of one signal (none without a source or tools)."""
    if source is None:
        return []
    return [PendingApproval(r.id, r.tool, json.loads(r.args), r.risk, r.expires_at)
            for r in source.pending_approvals(signal_id)]


def post_decision(client: WebClient, decision: Decision, config: OrgConfig, *,
                  posts: SlackPostLog | None = None, pipeline: ApprovalSource | None = None,
                  force: bool = False) -> dict[str, Any] | None:
    """Post the decision to its team channel with buttons; None when nothing was posted.

    Skips events, requests, duplicates and suppressed signals (unless `force`), teams without
    a channel, and signals already notified (`posts` claims `notify:<signal_id>`).
    """
    channel = team_channel(decision, config)
    if channel is None or not (force or should_notify(decision)):
        return None
    key = f"notify:{decision.signal_id}"
    if posts is not None and not posts.claim(key):
        if posts.where(key) is not None or not posts.take_over(key):
            log.info("already notified", extra={"signal_id": decision.signal_id})
            return None
        found = _posted(client, channel, key)  # a crashed process may have posted it
        if found is not None:
            _remember(posts, key, *found, decision.signal_id)
            log.info("notified before a crash", extra={"signal_id": decision.signal_id})
            return None
    fault_at("slack_post", decision.fingerprint)
    blocks = decision_blocks(decision, approvals=pending_approvals(pipeline, decision.signal_id))
    try:
        response = client.chat_postMessage(channel=channel, text=headline(decision),
                                           blocks=blocks, unfurl_links=False,
                                           metadata={"event_type": CARD_EVENT,
                                                     "event_payload": {"key": key}})
    except SlackApiError as exc:
        log.warning("slack post failed", extra={"signal_id": decision.signal_id,
                                                "channel": channel,
                                                "error": exc.response.get("error")})
        return None
    fault_at("slack_record", decision.fingerprint)
    if posts is not None:
        _remember(posts, key, str(response.get("channel") or channel), str(response.get("ts")),
                  decision.signal_id)
    log.info("notified", extra={"signal_id": decision.signal_id, "channel": channel})
    return dict(response.data) if isinstance(response.data, dict) else None


def _remember(posts: SlackPostLog, key: str, channel: str, ts: str, signal_id: str) -> None:
    posts.record(key, channel, ts)
    posts.link_thread(channel, ts, signal_id)


def channel_id(client: WebClient, channel: str) -> str | None:
    """The id of a channel given by id or by (#)name; None when no channel has that name."""
    name = channel.removeprefix("#")
    if not channel.startswith("#") and name[:1] in ("C", "G", "D") and name.upper() == name:
        return channel
    cursor = None
    while True:
        page = client.conversations_list(types="public_channel,private_channel", limit=200,
                                         exclude_archived=True, cursor=cursor)
        for ch in page.get("channels") or []:
            if ch.get("name") == name:
                return str(ch["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _posted(client: WebClient, channel: str, key: str) -> tuple[str, str] | None:
    """(channel id, ts) of a message in the channel's latest ones carrying `key`, or None."""
    try:
        cid = channel_id(client, channel)
        if cid is None:
            return None
        history = client.conversations_history(channel=cid, include_all_metadata=True,
                                               limit=HISTORY_LIMIT)
    except SlackApiError as exc:  # cannot tell: post (a missing card is worse than two)
        log.warning("slack history lookup failed", extra={"channel": channel,
                                                          "error": exc.response.get("error")})
        return None
    for message in history.get("messages") or []:
        meta = message.get("metadata") or {}
        if (meta.get("event_type") == CARD_EVENT
                and (meta.get("event_payload") or {}).get("key") == key):
            return cid, str(message.get("ts"))
    return None
