"""Free-form Q&A about a signal or incident (LLM when configured, deterministic otherwise).

The responder is assembled by agent.wiring (`build_chat_responder`, `chat_responder`).
"""

from __future__ import annotations

from agent.chat.answer import ChatAnswer, ChatResponder
from agent.chat.template import template_answer

__all__ = ["ChatAnswer", "ChatResponder", "template_answer"]
