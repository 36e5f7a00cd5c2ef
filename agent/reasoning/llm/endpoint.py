"""The OpenAI client for the configured endpoint (settings and the YAML `llm:` section)."""

from __future__ import annotations

import openai

from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.kernel.errors import LLMConfigError

__all__ = ["LLMConfigError", "make_openai_client"]


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
