"""Free-form Q&A about a signal or incident (LLM when configured, deterministic otherwise)."""

from __future__ import annotations

from agent.chat.answer import ChatAnswer, ChatResponder
from agent.chat.template import template_answer
from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.reasoning.llm import LLMConfigError, LLMMetrics, make_openai_client
from agent.reasoning.llm.client import LLMClient

__all__ = ["ChatAnswer", "ChatResponder", "build_chat_responder", "template_answer"]


def build_chat_responder(settings: Settings, section: LLMSection, *, use_llm: bool = True,
                         metrics: LLMMetrics | None = None) -> ChatResponder:
    """A responder using the configured endpoint, or template-only when none is configured."""
    if not use_llm:
        return ChatResponder(None)
    try:
        client, model = make_openai_client(settings, section)
    except LLMConfigError:
        return ChatResponder(None)
    return ChatResponder(LLMClient(client, model, section, metrics=metrics))
