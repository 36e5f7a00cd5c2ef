"""The composition root: what it assembles for the CLI, the service, Slack and evals."""

from __future__ import annotations

from pathlib import Path

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.reasoning.llm import LLMReasoner
from agent.wiring import build_pipeline, dry_run_tools, investigation_tools, open_tools


def _llm_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, home=tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9/v1",
                    OPENAI_API_KEY=None, TRIAGE_LLM_MODEL="m", reasoner="llm")


def test_llm_reasoner_gets_the_read_only_investigation_tools(tmp_path: Path,
                                                             demo_config: OrgConfig) -> None:
    settings = _llm_settings(tmp_path)
    tools = open_tools(settings, demo_config, tmp_path / "t.db")
    assert tools is not None
    pipe = build_pipeline(config=demo_config, settings=settings, reasoner="llm", tools=tools)
    reasoner = pipe.context.reasoner
    assert isinstance(reasoner, LLMReasoner) and reasoner.tools is not None
    specs, run_tool = reasoner.tools.for_signal("sig-1", "checkout-api")
    names = {s["function"]["name"] for s in specs}
    registry = {s.name: s.risk.value for s in tools.registry.specs()}
    assert names and all(registry[n] == "read_only" for n in names)
    assert set(registry) - names, "write and risky tools are never offered"
    result = run_tool("kubectl_rollout_restart", {"namespace": "x", "name": "y"})
    assert result["status"] == "refused"


def test_no_tools_no_investigation(demo_config: OrgConfig) -> None:
    assert investigation_tools(None) is None
    pipe = build_pipeline(config=demo_config)
    assert pipe.context.tools is None


def test_dry_run_tools_never_execute(demo_config: OrgConfig) -> None:
    from datetime import UTC, datetime

    from tools.context import ActionContext

    tools = dry_run_tools(demo_config, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    result = tools.call("disk_usage", {"path": "/"}, ActionContext(scope="s"))
    assert result.status in ("dry_run", "refused")
