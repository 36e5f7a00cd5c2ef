"""OpenTelemetry spans captured with the SDK's in-memory exporter: one run span, one span per
stage, execute_tool spans with the approval disposition, chat spans with token usage."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent.config.org import OrgConfig
from agent.config.sections import ToolsSection
from agent.config.settings import Settings
from agent.graph import STAGES
from agent.telemetry import instrument, setup
from agent.wiring import build_pipeline
from knowledge.base import KnowledgeBase
from tests.agent.reasoning.conftest import decision_json
from tests.support.openai_server import OpenAIServer, completion
from tests.support.payloads import am_body
from tools.runtime import ToolRuntime

CORPUS = Path(__file__).resolve().parents[2] / "knowledge" / "corpus" / "runbooks"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    """Tracing on for this process, into an in-memory exporter (provider passed, not global)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    instrument(provider)
    return memory


@pytest.fixture
def spans(exporter: InMemorySpanExporter):
    exporter.clear()
    return exporter


def _settings(server: OpenAIServer) -> Settings:
    return Settings(_env_file=None, **{"OPENAI_BASE_URL": server.base_url,
                                       "OPENAI_API_KEY": "sk-local-test-1",
                                       "TRIAGE_LLM_MODEL": "test-model"})


def test_run_stage_tool_and_llm_spans(spans: InMemorySpanExporter, demo_config: OrgConfig,
                                      tmp_path: Path) -> None:
    kb = KnowledgeBase.open(tmp_path / "kb")
    kb.ingest_path(CORPUS / "web-frontend", kind="runbook")
    with OpenAIServer() as llm:
        llm.script(completion(decision_json(kind="incident", impact="high", urgency="high"),
                              prompt_tokens=900, completion_tokens=60))
        tools = ToolRuntime.open(":memory:", ToolsSection(dry_run=True), demo_config)
        pipe = build_pipeline(config=demo_config, settings=_settings(llm), reasoner="llm",
                              tools=tools, retriever=kb)
        body = am_body("WebFrontendDown", {"service": "web-frontend", "severity": "critical"},
                       "web-frontend health checks failing, users see errors",
                       "2026-12-01T09:00:00Z", "otel-1")
        [decision] = pipe.triage(body)
    finished = spans.get_finished_spans()
    by_name = {s.name: s for s in finished}
    run = by_name["invoke_agent triage"]
    assert run.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert run.attributes["gen_ai.conversation.id"] == decision.signal_id
    assert run.attributes["triage.kind"] == decision.kind == "incident"
    stages = [s for s in finished if s.name.startswith("stage ")]
    assert [s.attributes["triage.stage"] for s in stages] == STAGES
    assert all(s.parent.span_id == run.context.span_id for s in stages)
    chat = by_name["chat test-model"]
    assert chat.attributes["gen_ai.usage.input_tokens"] == 900
    assert chat.attributes["gen_ai.usage.output_tokens"] == 60
    assert chat.attributes["gen_ai.provider.name"] == "openai"
    assert chat.attributes["server.address"] == "127.0.0.1"
    classify = next(s for s in stages if s.attributes["triage.stage"] == "classify")
    assert chat.parent.span_id == classify.context.span_id
    tool_spans = [s for s in finished if s.name.startswith("execute_tool ")]
    assert tool_spans, "the dry-run runtime was asked to run the planned actions"
    dispositions = {s.attributes["triage.tool.disposition"] for s in tool_spans}
    assert dispositions <= {"dry_run", "denied", "allowed", "awaiting_approval"}
    assert "dry_run" in dispositions
    for s in tool_spans:
        assert s.attributes["gen_ai.operation.name"] == "execute_tool"
        assert s.name == f"execute_tool {s.attributes['gen_ai.tool.name']}"
    statuses = {a.tool: a.status for a in decision.actions}
    for s in tool_spans:
        if s.attributes["gen_ai.tool.name"] in statuses and statuses[
                s.attributes["gen_ai.tool.name"]] == "dry_run":
            assert s.attributes["triage.tool.disposition"] == "dry_run"
    # no signal text or prompt in any attribute
    assert not any("users see errors" in str(v) for s in finished for v in s.attributes.values())


def test_denied_tool_is_a_denied_span(spans: InMemorySpanExporter, demo_config: OrgConfig
                                      ) -> None:
    from tools.context import ActionContext

    tools = ToolRuntime.open(":memory:", ToolsSection(), demo_config)
    result = tools.call("rm_rf_everything", {}, ActionContext(scope="sig-x", actor="test"))
    assert result.status == "refused"
    [span] = [s for s in spans.get_finished_spans() if s.name.startswith("execute_tool")]
    assert span.attributes["triage.tool.disposition"] == "denied"
    assert span.attributes["triage.signal_id"] == "sig-x"


def test_environment_decides_whether_tracing_is_wanted() -> None:
    assert not setup.wanted({})
    assert not setup.wanted({"OTEL_TRACES_EXPORTER": "none"})
    assert setup.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert setup.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert not setup.wanted({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"})
    with pytest.raises(ValueError, match="unsupported exporter 'zipkin'"):
        setup._exporters({"OTEL_TRACES_EXPORTER": "zipkin"})
