"""What the Slack listeners need: the pipeline, the config, post claims, reviews and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.config.org import OrgConfig
from agent.incidents.runtime import IncidentResponse
from agent.kernel.clock import utc_now
from agent.kernel.decision import Decision
from agent.pipeline import Pipeline
from agent.slack.posts import SlackPostLog

TriageFn = Callable[[Any, str, str], list[Decision]]


@dataclass
class SlackDeps:
    """Injected domain objects; listeners stay thin and call into these."""

    config: OrgConfig
    pipeline: Pipeline
    posts: SlackPostLog
    learnings: Any | None = None  # knowledge.learnings.LearningStore when a KB is open
    clock: Callable[[], datetime] = utc_now  # runtime windows start "now"
    explainer: Callable[[Decision, str], str] | None = None  # (decision, question) -> text
    chat: Any | None = None  # agent.chat.ChatResponder for `/triage why`
    triage_hook: TriageFn | None = None  # e.g. the service's claim-aware store-and-decide

    def triage(self, payload: Any, fmt: str, delivery_key: str) -> list[Decision]:
        """Store and decide a payload once per delivery key (through the hook when given)."""
        if self.triage_hook is not None:
            return self.triage_hook(payload, fmt, delivery_key)
        return self.pipeline.triage(payload, fmt, delivery_key=delivery_key)

    @property
    def incidents(self) -> IncidentResponse | None:
        """The pipeline's incident response (lifecycle, escalation), when it has one."""
        found = self.pipeline.incidents
        return found if isinstance(found, IncidentResponse) else None

