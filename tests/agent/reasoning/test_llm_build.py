"""build_llm_reasoner: configuration errors are clear; a configured one talks to the endpoint."""

from __future__ import annotations

import pytest

from agent.config.org import OrgConfig
from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.reasoning.offline import OfflineReasoner
from agent.wiring import LLMConfigError, build_llm_reasoner
from tests.agent.reasoning.conftest import decision_json, make_evidence
from tests.support.openai_server import OpenAIServer, completion


def _settings(**env: str | None) -> Settings:
    values = {"OPENAI_BASE_URL": None, "OPENAI_API_KEY": None, "TRIAGE_LLM_MODEL": None, **env}
    return Settings(_env_file=None, **values)


def test_missing_model_and_endpoint_is_a_clear_error() -> None:
    with pytest.raises(LLMConfigError, match="TRIAGE_LLM_MODEL") as err:
        build_llm_reasoner(_settings(OPENAI_BASE_URL="http://127.0.0.1:1/v1"), LLMSection(),
                           OfflineReasoner())
    assert "OPENAI_BASE_URL" not in str(err.value)
    with pytest.raises(LLMConfigError, match="OPENAI_BASE_URL"):
        build_llm_reasoner(_settings(TRIAGE_LLM_MODEL="m"), LLMSection(), OfflineReasoner())


def test_built_reasoner_uses_settings_and_config_model(llm_server: OpenAIServer,
                                                       demo_config: OrgConfig) -> None:
    llm_server.script(completion(decision_json()))
    settings = _settings(OPENAI_BASE_URL=llm_server.base_url, OPENAI_API_KEY="sk-local-test-1")
    r = build_llm_reasoner(settings, LLMSection(model="from-config", timeout_s=2, always=True),
                           OfflineReasoner(), mode="auto")
    assert r.mode == "auto" and r.llm.model == "from-config"
    assert r.judge(make_evidence(demo_config)).reasoner == "llm"
    assert llm_server.requests[0]["model"] == "from-config"
    assert llm_server.headers[0]["authorization"] == "Bearer sk-local-test-1"
