"""The optional LLM reasoner (any OpenAI-compatible endpoint) and its wiring helpers."""

from __future__ import annotations

from typing import Any

import openai

from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.reasoning.llm.client import LLMClient, LLMUnavailable
from agent.reasoning.llm.investigate import ToolSet
from agent.reasoning.llm.metrics import DecisionRecord, LLMMetrics
from agent.reasoning.llm.reasoner import LLMReasoner, Mode, SignalTools
from agent.reasoning.types import Reasoner

__all__ = ["DecisionRecord", "LLMClient", "LLMConfigError", "LLMMetrics", "LLMReasoner",
           "LLMUnavailable", "build_llm_reasoner", "make_openai_client", "read_only_tool_specs"]


class LLMConfigError(ValueError):
    """The LLM reasoner was asked for but its endpoint or model is not configured."""


def make_openai_client(settings: Settings, section: LLMSection) -> tuple[openai.OpenAI, str]:
    """The OpenAI client and model name from settings; raise LLMConfigError when incomplete."""
    model = settings.llm_model or section.model
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    missing = []
    if not settings.openai_base_url and not key:
        missing.append("OPENAI_BASE_URL (or OPENAI_API_KEY for api.openai.com)")
    if not model:
        missing.append("TRIAGE_LLM_MODEL (or llm.model in the config file)")
    if missing:
        raise LLMConfigError("the llm reasoner needs " + " and ".join(missing)
                             + "; or use --reasoner offline")
    client = openai.OpenAI(base_url=settings.openai_base_url or "https://api.openai.com/v1",
                           api_key=key or "unused",  # local servers ignore the key
                           timeout=section.timeout_s or settings.llm_timeout_s, max_retries=0)
    return client, str(model)


def build_llm_reasoner(settings: Settings, section: LLMSection, fallback: Reasoner,
                       mode: Mode = "llm", tools: ToolSet | SignalTools | None = None,
                       metrics: LLMMetrics | None = None) -> LLMReasoner:
    """An LLMReasoner for the configured endpoint; LLMConfigError when base_url or model miss."""
    client, model = make_openai_client(settings, section)
    return LLMReasoner(client, model, section, fallback, mode=mode, tools=tools, metrics=metrics)


def read_only_tool_specs(specs: list[Any]) -> list[dict[str, Any]]:
    """OpenAI function schemas for the read-only tools among registry specs (others dropped).

    Accepts any objects with `name`, `description`, `risk` and a pydantic `args_model`.
    """
    out = []
    for spec in specs:
        if str(getattr(spec, "risk", "")) not in ("read_only", "Risk.read_only"):
            continue
        params = spec.args_model.model_json_schema()
        params.pop("title", None)
        out.append({"type": "function", "function": {
            "name": spec.name, "description": spec.description[:500], "parameters": params}})
    return out
