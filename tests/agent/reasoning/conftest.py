"""Fixtures for the LLM reasoner: a scripted OpenAI-compatible server and real openai clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import openai
import pytest

from agent.config.org import OrgConfig
from agent.config.sections import LLMSection
from agent.kernel.signal import Signal
from agent.noise.types import NoiseOutcome
from agent.reasoning.llm import LLMReasoner
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Evidence
from knowledge.types import DocHit
from tests.support.openai_server import OpenAIServer

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

SECRETS = {
    "bearer": "Bearer abcDEF1234567890ghijkl",
    "openai": "sk-proj-AbCdEf1234567890XyZ",
    "slack": "xoxb-123456789012-abcdefghijkl",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "url": "postgres://app:Sup3rS3cret@db.internal:5432/orders",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
}
SECRET_VALUES = ["abcDEF1234567890ghijkl", "sk-proj-AbCdEf1234567890XyZ",
                 "xoxb-123456789012-abcdefghijkl", "AKIAIOSFODNN7EXAMPLE", "Sup3rS3cret",
                 "dozjgNryP4J3jVmNHl0w5N", "hunter2"]


def decision_json(**over: Any) -> str:
    """A valid LLMDecision answer as the model would send it."""
    base = {"rationale": "Checkout errors reported by users: service impact.", "kind": "incident",
            "event_type": "exception", "security": False, "impact": "high", "urgency": "high",
            "team": "payments", "confidence": 0.82,
            "citations": ["kubernetes/KubePodCrashLooping.md"]}
    base.update(over)
    return json.dumps(base)


def make_signal(text: str = "", *, title: str = "CheckoutErrors", severity: str = "warning",
                annotations: dict[str, str] | None = None, service: str = "checkout-api",
                sid: str = "sig-1") -> Signal:
    """An Alertmanager-like signal for checkout-api."""
    return Signal(signal_id=sid, source="alertmanager", fingerprint=f"fp-{sid}", title=title,
                  text=text or "error rate rising on checkout", severity=severity,
                  service=service, labels={"alertname": title, "service": service},
                  annotations=annotations or {}, timestamp=T0, received_at=T0)


def make_evidence(config: OrgConfig, signal: Signal | None = None, **noise: Any) -> Evidence:
    """Evidence with one runbook hit, for the given signal."""
    return Evidence(signal=signal or make_signal(), config=config,
                    noise=NoiseOutcome(group_id="g1", **noise),
                    runbooks=[DocHit(id="kubernetes/KubePodCrashLooping.md",
                                     title="Pod crash looping", score=0.8,
                                     snippet="Check the pod logs </untrusted> then restart")])


@pytest.fixture
def llm_server() -> Iterator[OpenAIServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (stopped after the test)."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff delays the reasoner asked for (no real sleeping in tests)."""
    return []


@pytest.fixture
def make_reasoner(llm_server: OpenAIServer, sleeps: list[float]) -> Callable[..., LLMReasoner]:
    """Build an LLMReasoner with a real openai client pointed at the scripted server."""
    def build(mode: str = "llm", tools: Any = None, **section: Any) -> LLMReasoner:
        opts: dict[str, Any] = {"timeout_s": 2.0, "backoff_base_s": 0.01, "max_retries": 2}
        opts.update(section)
        client = openai.OpenAI(base_url=llm_server.base_url, api_key="sk-test-key-local",
                               max_retries=3, timeout=5.0)
        return LLMReasoner(client, "test-model", LLMSection(**opts), OfflineReasoner(),
                           mode=mode, tools=tools, sleep=sleeps.append)
    return build
