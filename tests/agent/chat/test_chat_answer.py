"""Chat Q&A: template answers from the store, and LLM answers over real HTTP with fallback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import openai
import pytest

from agent.chat import ChatResponder
from agent.config.sections import LLMSection
from agent.config.settings import Settings
from agent.kernel.decision import Decision, DocRef
from agent.reasoning.llm.client import LLMClient
from agent.wiring import build_chat_responder
from knowledge.types import DocHit
from tests.support.openai_server import OpenAIServer, completion, error

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def decision(sid: str, minutes: int = 0, **over) -> Decision:
    base = dict(signal_id=sid, source="alertmanager", fingerprint=f"fp-{sid}",
                received_at=T0 + timedelta(minutes=minutes),
                timestamp=T0 + timedelta(minutes=minutes), kind="incident",
                event_type="exception", impact="high", urgency="high", priority="P1",
                severity="SEV1", service="checkout-api", team="payments",
                title="CheckoutErrors", confidence=0.9,
                rationale="error-rate breach on a customer-facing tier-1 service",
                runbooks=[DocRef(id="checkout/errors.md", title="Checkout errors", score=0.7)])
    base.update(over)
    return Decision(**base)


RELATED = [decision("sig-0", -10, kind="event", event_type="informational", priority="P5",
                    severity="SEV5", impact="low", urgency="low", title="Deploy checkout v2.3"),
           decision("sig-2", 5, kind="alert", priority="P2", severity="SEV2",
                    title="PodCrashLooping")]
DOCS = [DocHit(id="kubernetes/KubePodCrashLooping.md", title="Pod crash looping", score=0.8,
               snippet="kubectl logs --previous")]


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as s:
        yield s


def responder(server: OpenAIServer, **section) -> ChatResponder:
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    opts = {"timeout_s": 2.0, "max_retries": 0, **section}
    return ChatResponder(LLMClient(client, "m", LLMSection(**opts), sleep=lambda s: None))


def test_template_answers_why_with_matrix_and_runbooks() -> None:
    ans = ChatResponder(None).answer("why is this P1?", decision("sig-1"), RELATED, DOCS)
    assert ans.answered_by == "template" and ans.note == "no LLM configured"
    lines = ans.text.splitlines()
    assert lines[0].startswith("sig-1 (CheckoutErrors) is a incident / exception, P1 (SEV1)")
    assert lines[1].startswith("Why: error-rate breach")
    assert "impact high x urgency high gives P1" in ans.text
    assert "kubernetes/KubePodCrashLooping.md" in ans.text and "checkout/errors.md" in ans.text
    assert set(ans.sources) >= {"sig-1", "sig-0", "kubernetes/KubePodCrashLooping.md"}


def test_template_answers_what_changed_with_timeline_first() -> None:
    ans = ChatResponder(None).answer("what changed before the outage?", decision("sig-1"),
                                     RELATED, DOCS)
    lines = ans.text.splitlines()
    assert lines[1] == "Timeline (oldest first):"
    assert "sig-0" in lines[2] and "Deploy checkout v2.3 (before)" in lines[2]
    assert lines[3].endswith("<- this signal") and "sig-2" in lines[4]


def test_llm_answer_is_grounded_and_request_is_delimited(server: OpenAIServer) -> None:
    server.script(completion("It is P1 because checkout errors hit users [sig-1]; "
                             "follow [kubernetes/KubePodCrashLooping.md].",
                             prompt_tokens=500, completion_tokens=30))
    d = decision("sig-1", title="Checkout down token=s3cr3tvalue")
    ans = responder(server).answer("why is this P1? my key is sk-abcdefghijklmnop1234", d,
                                   RELATED, DOCS)
    assert ans.answered_by == "llm" and ans.tokens == 530
    assert ans.sources == ["sig-1", "kubernetes/KubePodCrashLooping.md"]
    body = server.requests[0]
    user = body["messages"][1]["content"]
    assert '<untrusted source="decision:sig-1">' in user and "<question>" in user
    wire = str(body)
    assert "s3cr3tvalue" not in wire and "sk-abcdefghijklmnop1234" not in wire
    assert "response_format" not in body


def test_llm_failure_falls_back_to_template(server: OpenAIServer) -> None:
    server.script(error(503, "down"))
    ans = responder(server).answer("why is this P1?", decision("sig-1"), RELATED, DOCS)
    assert ans.answered_by == "template" and ans.note.startswith("LLM unavailable: http 503")
    assert "gives P1" in ans.text


def test_build_without_endpoint_is_template_only() -> None:
    settings = Settings(_env_file=None, openai_base_url=None, openai_api_key=None,
                        llm_model=None)
    r = build_chat_responder(settings, LLMSection())
    assert r.llm is None
