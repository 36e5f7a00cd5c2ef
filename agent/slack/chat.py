"""`/triage why <signal_id> [question]` through the chat module (agent/chat).

With an LLM configured (reasoner llm/auto) the chat responder answers the question grounded in
the stored decision, its group's timeline and its documents; otherwise the answer is built from
the stored record: rationale, impact × urgency with the catalog facts, and the group timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.kernel.decision import Decision
from agent.slack.deps import SlackDeps
from agent.slack.explain import explain_decision
from agent.slack.text import code, safe
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)
Explainer = Callable[[Decision, str], str]  # (decision, question) -> plain text


def related(store: SignalStore, decision: Decision, limit: int = 20) -> list[Decision]:
    """Other decisions of the signal's group (its timeline), oldest first."""
    if not decision.noise.group_id:
        return []
    return [d for d in store.decisions_in_group(decision.noise.group_id)
            if d.signal_id != decision.signal_id][-limit:]


def build_responder(settings: Settings, config: OrgConfig) -> Any:
    """The chat responder: LLM-backed when the reasoner is llm/auto and configured."""
    from agent.wiring import chat_responder

    return chat_responder(settings, config)


def answer_why(responder: Any, store: SignalStore, config: OrgConfig, decision: Decision,
               question: str) -> str:
    """Slack mrkdwn (escaped) answering why the decision is what it is, or `question`."""
    timeline = related(store, decision)
    if responder is not None and responder.llm is not None:
        asked = question or (f"Why was {decision.signal_id} decided {decision.kind} "
                             f"{decision.priority}?")
        answer = responder.answer(asked, decision, timeline, [])
        if answer.answered_by == "llm":
            sources = ", ".join(code(s, 80) for s in answer.sources[:5])
            return (f"{safe(answer.text, 2500)}\n_answered by the LLM from the stored "
                    f"decision; sources: {sources}_")
        log.info("chat fell back", extra={"note": answer.note})
    text = explain_decision(decision, config)
    if timeline and responder is not None:
        text += "\n" + safe("\n".join(responder.timeline(decision, timeline)), 1200)
    return text


def why_text(deps: SlackDeps, decision: Decision, question: str = "") -> str:
    """The Slack answer to "why" (or `question`) about a decision: injected explainer (escaped
    here), else the chat responder, else the stored record."""
    if deps.explainer is not None:
        return safe(deps.explainer(decision, question), 3000)
    return answer_why(deps.chat, deps.pipeline.store, deps.config, decision, question)
