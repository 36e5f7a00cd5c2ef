"""Modal submissions: "Mark resolved" writes a learning into the knowledge-base quarantine."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from agent.slack.blocks import RESOLVE_VIEW, learning_blocks
from agent.slack.deps import SlackDeps

log = logging.getLogger(__name__)


def submitted_fix(view: dict[str, Any]) -> str:
    """The text typed into the modal's "What fixed it?" input."""
    values = (view.get("state") or {}).get("values") or {}
    return str(((values.get("fix") or {}).get("value") or {}).get("value") or "").strip()


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register the modal submission listener."""

    @app.view(RESOLVE_VIEW)
    def resolve_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                          client: WebClient) -> None:
        """Quarantine the learning and post it for review in the incident's thread."""
        fix = submitted_fix(view)
        if not fix:
            ack(response_action="errors", errors={"fix": "Describe what fixed it."})
            return
        if deps.learnings is None:
            ack(response_action="errors", errors={"fix": "No knowledge base is open here."})
            return
        ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        decision = deps.pipeline.store.get_decision(str(meta.get("signal_id") or ""))
        if decision is None:
            return
        from knowledge.learnings import Learning

        user = body["user"]["id"]
        learning = deps.learnings.submit(Learning(
            symptom=decision.title or decision.rationale[:200],
            decision=(f"{decision.kind} {decision.priority} ({decision.event_type}); "
                      f"service {decision.service or 'none'}; team {decision.team or 'none'}"),
            fix=fix, runbook=decision.runbooks[0].id if decision.runbooks else None,
            signal_ids=[decision.signal_id], author=user))
        log.info("learning quarantined", extra={"learning_id": learning.id, "author": user})
        if meta.get("channel"):
            client.chat_postMessage(
                channel=meta["channel"], thread_ts=meta.get("thread_ts") or None,
                text=f"Learning {learning.id} quarantined for review",
                blocks=learning_blocks(learning.id, learning.symptom, learning.fix,
                                       learning.flags, user))
