"""Build the Bolt app: Web API client on the configured base URL, listeners per kind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.kernel.lazy import Lazy
from agent.pipeline import Pipeline
from agent.slack.chat import Explainer, build_responder
from agent.slack.deps import SlackDeps, TriageFn
from agent.slack.listeners import register_listeners
from agent.slack.posts import SlackPostLog

log = logging.getLogger(__name__)
SLACK_API_URL = "https://slack.com/api/"


class _ClientTokenNotice(logging.Filter):
    """Drops Bolt's "token will be unused" notice: we always hand Bolt a configured client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_BOLT_LOG = logging.getLogger("slack_bolt.App")
if not any(isinstance(f, _ClientTokenNotice) for f in _BOLT_LOG.filters):
    _BOLT_LOG.addFilter(_ClientTokenNotice())


class SlackConfigError(ValueError):
    """Slack settings missing or unusable (names the environment variable to set)."""


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def api_base_url(settings: Settings) -> str:
    """The Web API base URL (TRIAGE_SLACK_API_URL, default Slack's), always ending in "/"."""
    url = settings.slack_api_url or SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def web_client(settings: Settings) -> WebClient:
    """A Web API client with the bot token, pointed at `api_base_url(settings)`."""
    token = _secret(settings.slack_bot_token)
    if not token:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set")
    return WebClient(token=token, base_url=api_base_url(settings))


def _learnings(pipeline: Pipeline) -> Lazy | None:
    """The pipeline's learning store, opened on first use (it opens Chroma), or None."""
    from knowledge.base import KnowledgeBase

    return Lazy(pipeline.learnings) if isinstance(pipeline.knowledge, KnowledgeBase) else None


def build_bolt_app(settings: Settings, config: OrgConfig, pipeline: Pipeline, *,
                   client: WebClient | None = None, learnings: Any | None = None,
                   socket_mode: bool = False, process_before_response: bool = False,
                   clock: Callable[[], datetime] | None = None,
                   explainer: Explainer | None = None, chat: Any | None = None,
                   triage: TriageFn | None = None) -> App:
    """The Slack app over the pipeline: messages, mentions, /triage, buttons and modals.

    `/triage why` asks `explainer(decision, question)` when given, else the chat responder
    (`chat`, default: built from settings on first use; LLM only for reasoner llm/auto), else
    the record.
    `triage(payload, fmt, delivery_key)` replaces `pipeline.triage` (the service passes its
    claim-aware path). HTTP mode needs SLACK_SIGNING_SECRET (every request is verified with
    it); Socket Mode needs only the bot token here and the app token in the socket handler.
    """
    signing_secret = _secret(settings.slack_signing_secret)
    if not socket_mode and not signing_secret:
        raise SlackConfigError("SLACK_SIGNING_SECRET is not set (needed for HTTP mode)")
    client = client or web_client(settings)
    app = App(signing_secret=signing_secret or "unused-in-socket-mode",
              client=client, token_verification_enabled=False,
              process_before_response=process_before_response, name="triage")
    deps = SlackDeps(config=config, pipeline=pipeline,
                     posts=SlackPostLog(pipeline.store.conn),
                     learnings=learnings if learnings is not None else _learnings(pipeline))
    if clock is not None:
        deps.clock = clock
    deps.explainer, deps.triage_hook = explainer, triage
    deps.chat = chat if chat is not None else Lazy(lambda: build_responder(settings, config))
    register_listeners(app, deps)
    if deps.incidents is not None and config.incidents.slack.enabled:
        from agent.slack.incident_flow import SlackIncidentFlow

        SlackIncidentFlow(client, config, deps.incidents, deps.posts).attach()
    log.info("slack app ready", extra={"api": client.base_url, "socket_mode": socket_mode})
    return app
