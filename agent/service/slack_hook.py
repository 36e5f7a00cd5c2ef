"""Optional Slack wiring: mount the Bolt app at POST /slack/events and post new decisions.

Only used when both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; imports are lazy so the
service runs without touching Slack otherwise.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from agent.kernel.decision import Decision
from agent.service.state import Service

log = logging.getLogger(__name__)


def slack_configured(service: Service) -> bool:
    """True when the settings carry a bot token and a signing secret (HTTP mode)."""
    s = service.settings
    return s.slack_bot_token is not None and s.slack_signing_secret is not None


def mount(app: FastAPI, service: Service) -> None:
    """Mount the Bolt app and post each new alert/incident decision to its team channel once."""
    from agent.slack.app import build_bolt_app
    from agent.slack.http import mount_slack
    from agent.slack.notify import post_decision
    from agent.slack.posts import SlackPostLog

    bolt_app = build_bolt_app(service.settings, service.config, service.pipeline)
    mount_slack(app, bolt_app)
    posts = SlackPostLog(service.connect())  # its own connection: used by worker threads

    def notify(decision: Decision) -> None:
        post_decision(bolt_app.client, decision, service.config, posts=posts,
                      tools=service.pipeline.context.tools)

    service.worker.add_listener(notify)
    service.slack_enabled = True
    log.info("slack mounted", extra={"path": "/slack/events"})
