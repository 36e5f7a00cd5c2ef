"""The graph exported for LangGraph Studio: JSON schemas build, and a run with no context (or a
JSON one) builds the live pipeline from settings and decides the payload's signal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent import studio
from agent.graph import STAGES
from agent.kernel.errors import SignalParseError
from agent.studio import graph
from tests.conftest import DEMO_CONFIG
from tests.support.payloads import am_body

BODY = am_body("KubePodCrashLooping", {"namespace": "payments", "service": "checkout-api",
                                       "severity": "critical"},
               "Pod payments/checkout-api-7d9 is crash looping", "2026-12-01T09:00:00Z",
               "studio-1")


def test_schemas_are_json_schemas() -> None:
    inputs = graph.get_input_jsonschema()
    assert set(inputs["properties"]) == {"payload", "format", "index"}
    assert "anyOf" in inputs["properties"]["payload"]  # object, array or text
    assert "decision" in graph.get_output_jsonschema()["properties"]
    assert set(graph.get_context_jsonschema()["properties"]) == {"home", "config", "reasoner"}
    json.dumps(graph.config_schema().model_json_schema())  # what langgraph-api still asks for
    assert list(graph.get_graph().nodes)[1:-1] == ["parse", *STAGES]


def test_run_builds_its_own_context_from_settings(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("TRIAGE_CONFIG", str(DEMO_CONFIG))
    out = graph.invoke({"payload": BODY})
    decision = out["decision"]
    assert decision.kind in {"alert", "incident"} and decision.team == "payments"
    # stored in the home the settings name, as the live pipeline would
    pipe = studio.studio_pipeline(None)
    assert pipe.store.get_decision(decision.signal_id) == decision
    assert (tmp_path / "env-home").is_dir()


def test_json_context_picks_home_and_config(tmp_path: Path) -> None:
    context = {"home": str(tmp_path / "h"), "config": str(DEMO_CONFIG), "reasoner": "offline"}
    text = json.dumps({"title": "Checkout is down", "body": "customers cannot pay",
                       "reporter": "support"})
    out = graph.invoke({"payload": text, "format": "ticket"}, context=context)
    assert out["decision"].source == "ticket" and out["decision"].service == "checkout-api"
    assert studio.studio_pipeline(context).store.get_decision(out["decision"].signal_id)


def test_bad_payload_and_index_are_clear_errors(tmp_path: Path) -> None:
    context = {"home": str(tmp_path / "h")}
    with pytest.raises(SignalParseError):
        graph.invoke({"payload": {"nothing": 1}, "format": "alertmanager"}, context=context)
    with pytest.raises(ValueError, match="index: the payload holds 1 signal"):
        graph.invoke({"payload": BODY, "index": 3}, context=context)
