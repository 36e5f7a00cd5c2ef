"""The LLM reasoner inside the real triage graph (build_pipeline), against the scripted server."""

from __future__ import annotations

from agent.config.org import OrgConfig
from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.wiring import build_pipeline
from tests.agent.reasoning.conftest import decision_json
from tests.support.openai_server import OpenAIServer, completion, error

ALERT = {"version": "4", "status": "firing", "receiver": "triage", "groupKey": "{}:{}",
         "commonLabels": {}, "commonAnnotations": {}, "groupLabels": {}, "externalURL": "",
         "alerts": [{"status": "firing", "fingerprint": "abc123",
                     "startsAt": "2026-12-01T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                     "labels": {"alertname": "CheckoutErrors", "service": "checkout-api",
                                "severity": "warning"},
                     "annotations": {"summary": "Users report failed card payments",
                                     "runbook_token": "token=s3cr3t-value"}}]}


def _settings(server: OpenAIServer) -> Settings:
    return Settings(_env_file=None, **{"OPENAI_BASE_URL": server.base_url,
                                       "OPENAI_API_KEY": "sk-local-test-1",
                                       "TRIAGE_LLM_MODEL": "test-model",
                                       "TRIAGE_LLM_TIMEOUT": 2.0})


def test_pipeline_with_llm_reasoner_records_llm_decision(
        llm_server: OpenAIServer, demo_config: OrgConfig) -> None:
    llm_server.script(completion(decision_json(kind="incident", impact="high", urgency="high"),
                                 prompt_tokens=900, completion_tokens=60))
    pipe = build_pipeline(config=demo_config, settings=_settings(llm_server), reasoner="llm")
    [d] = pipe.triage(ALERT, fmt="alertmanager")
    assert (d.reasoner, d.kind, d.priority, d.llm_tokens) == ("llm", "incident", "P1", 960)
    assert "s3cr3t-value" not in str(llm_server.requests)


def test_pipeline_falls_back_to_offline_when_endpoint_fails(
        llm_server: OpenAIServer, demo_config: OrgConfig) -> None:
    llm_server.script(*[error(500, "boom") for _ in range(6)])
    config = demo_config.model_copy(update={"llm": LLMSection(backoff_base_s=0.01)})
    pipe = build_pipeline(config=config, settings=_settings(llm_server), reasoner="llm")
    [d] = pipe.triage(ALERT, fmt="alertmanager")
    assert d.reasoner == "offline" and "[LLM fallback: http 500" in d.rationale
    assert len(llm_server.requests) == 4  # json_schema, then json_object + 2 retries
