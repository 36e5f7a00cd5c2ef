"""Optional Slack wiring: mount the Bolt app at POST /slack/events and post new decisions.

Only used when both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; imports are lazy so the
service runs without touching Slack otherwise.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import FastAPI

from agent.kernel.decision import Decision
from agent.kernel.errors import SignalParseError
from agent.service.ingest import RejectedError
from agent.service.state import Service

log = logging.getLogger(__name__)


def slack_configured(service: Service) -> bool:
    """True when the settings carry a bot token and a signing secret (HTTP mode)."""
    s = service.settings
    return s.slack_bot_token is not None and s.slack_signing_secret is not None


SLACK_ROUTE = "/slack/events"


def ingest_and_decide(service: Service, payload: Any, fmt: str, delivery_key: str,
                      timeout_s: float = 60.0) -> list[Decision]:
    """A Slack-originated signal on the service's own path: the ingestor stores it (metrics,
    dead letters, redelivery), the worker's claims decide it once; returns the decisions."""
    body = (payload if isinstance(payload, str)
            else json.dumps(payload, ensure_ascii=False)).encode("utf-8")
    try:
        accepted = service.ingestor.ingest(SLACK_ROUTE, body, fmt, idempotency_key=delivery_key)
    except RejectedError as exc:
        raise SignalParseError(exc.field or "payload",
                               exc.message.removeprefix("invalid input: ")
                               .removeprefix(f"{exc.field}: ")) from None
    decisions = []
    for signal_id in accepted.signal_ids:
        decision = service.store.get_decision(signal_id) or service.worker.process(signal_id)
        deadline = time.monotonic() + timeout_s
        while decision is None and time.monotonic() < deadline:  # another worker has it
            time.sleep(0.05)
            decision = service.store.get_decision(signal_id)
        if decision is not None:
            decisions.append(decision)
    return decisions


def mount(app: FastAPI, service: Service) -> None:
    """Mount the Bolt app and post each new alert/incident decision to its team channel once."""
    from agent.slack.app import build_bolt_app
    from agent.slack.http import mount_slack
    from agent.slack.notify import post_decision
    from agent.slack.posts import SlackPostLog

    bolt_app = build_bolt_app(service.settings, service.config, service.pipeline,
                              triage=lambda payload, fmt, key: ingest_and_decide(
                                  service, payload, fmt, key))
    mount_slack(app, bolt_app)
    posts = SlackPostLog(service.connect())  # its own connection: used by worker threads

    def notify(decision: Decision) -> None:
        post_decision(bolt_app.client, decision, service.config, posts=posts,
                      pipeline=service.pipeline)

    service.worker.add_listener(notify)
    service.slack_enabled = True
    log.info("slack mounted", extra={"path": "/slack/events"})
