"""The optional LLM reasoner (any OpenAI-compatible endpoint); assembled by agent.wiring."""

from __future__ import annotations

from agent.reasoning.llm.client import LLMClient, LLMUnavailable
from agent.reasoning.llm.endpoint import LLMConfigError, make_openai_client
from agent.reasoning.llm.metrics import DecisionRecord, LLMMetrics
from agent.reasoning.llm.reasoner import LLMReasoner
from agent.reasoning.llm.toolspecs import read_only_tool_specs

__all__ = ["DecisionRecord", "LLMClient", "LLMConfigError", "LLMMetrics", "LLMReasoner",
           "LLMUnavailable", "make_openai_client", "read_only_tool_specs"]
