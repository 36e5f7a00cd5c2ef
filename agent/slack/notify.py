"""Post alert and incident decisions to their team's channel (once per signal)."""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision
from agent.slack.blocks import PendingApproval, decision_blocks, headline
from agent.slack.posts import SlackPostLog

log = logging.getLogger(__name__)
NOTIFIED_KINDS = ("alert", "incident")


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
        log.info("already notified", extra={"signal_id": decision.signal_id})
        return None
    blocks = decision_blocks(decision, approvals=pending_approvals(pipeline, decision.signal_id))
    try:
        response = client.chat_postMessage(channel=channel, text=headline(decision),
                                           blocks=blocks, unfurl_links=False)
    except SlackApiError as exc:
        log.warning("slack post failed", extra={"signal_id": decision.signal_id,
                                                "channel": channel,
                                                "error": exc.response.get("error")})
        return None
    if posts is not None:
        posted_in, ts = str(response.get("channel") or channel), str(response.get("ts"))
        posts.record(key, posted_in, ts)
        posts.link_thread(posted_in, ts, decision.signal_id)
    log.info("notified", extra={"signal_id": decision.signal_id, "channel": channel})
    return dict(response.data) if isinstance(response.data, dict) else None
