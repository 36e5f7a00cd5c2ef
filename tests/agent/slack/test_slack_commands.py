"""`/triage` over real HTTP: triage text, why, maintenance and silences with permissions."""

from __future__ import annotations

import json

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.kernel.packing import stored_json
from tests.agent.slack.conftest import HarnessFactory
from tests.agent.slack.conftest import alert_body as am_body

APPROVER, OUTSIDER = "U024BE7LH", "U0ALICE01"  # payments approver / anyone


def test_triage_text_answers_in_channel(harness: HarnessFactory) -> None:
    h = harness()
    resp = h.command("checkout is down, customers cannot pay")
    assert resp.status_code == 200
    [answer] = h.api.responses()
    assert answer.body["response_type"] == "in_channel"
    text = answer.blocks_text()
    assert "INCIDENT" in text and "payments" in text
    [notified] = h.api.calls("chat.postMessage")
    assert notified.body["channel"] == "#payments-oncall"
    stored = h.pipeline.store.conn.execute("SELECT body FROM decisions").fetchone()[0]
    assert stored_json(stored)["source"] == "slack"


def test_help_and_usage_errors_are_ephemeral(harness: HarnessFactory) -> None:
    h = harness()
    h.command("", trigger="t-help")
    h.command("why", trigger="t-why")
    h.command("maintenance checkout-api soon upgrade", trigger="t-bad")
    answers = h.api.responses()
    assert [a.body["response_type"] for a in answers] == ["ephemeral"] * 3
    assert "Usage" in answers[0].body["text"]
    assert "why <signal_id>" in answers[1].body["text"]
    assert "duration 'soon'" in answers[2].body["text"]


def test_why_explains_a_stored_decision(harness: HarnessFactory) -> None:
    h = harness()
    [decision] = h.pipeline.triage(am_body(
        "HighErrorRate", {"service": "checkout-api", "severity": "critical"},
        "checkout-api 5xx rate 12% for 10 minutes", "2026-12-01T09:05:00Z", "err1"))
    h.command(f"why {decision.signal_id}", trigger="t-why-ok")
    h.command("why sig-unknown", trigger="t-why-none")
    ok, missing = h.api.responses()
    assert ok.body["response_type"] == "ephemeral"
    text = ok.body["text"]
    assert decision.signal_id in text and f"*{decision.priority}*" in text
    assert f"impact *{decision.impact}*" in text and f"urgency *{decision.urgency}*" in text
    assert "tier 1, customer-facing" in text and "Rationale" in text
    assert "No decision for signal" in missing.body["text"]


def test_maintenance_window_needs_an_approver_and_then_suppresses(
        harness: HarnessFactory) -> None:
    h = harness()  # the app's clock is 2026-12-01T09:00Z
    h.command("maintenance checkout-api 2h card processor failover drill", user=OUTSIDER,
              trigger="t-mw-no")
    assert h.pipeline.context.noise.list_windows() == []
    h.command("maintenance checkout-api 2h card processor failover drill", user=APPROVER,
              trigger="t-mw-yes")
    refused, accepted = h.api.responses()
    assert refused.body["response_type"] == "ephemeral"
    assert "only approvers of team 'payments'" in refused.body["text"]
    assert accepted.body["response_type"] == "in_channel"
    [window] = h.pipeline.context.noise.list_windows()
    assert window.matchers == ['service="checkout-api"']
    assert window.created_by == f"slack:{APPROVER}"
    assert window.reason == "card processor failover drill"
    assert window.id in accepted.body["text"]
    inside = h.pipeline.triage(am_body("HighCPU", {"service": "checkout-api",
                                                   "severity": "critical"},
                                       "CPU 97%", "2026-12-01T09:30:00Z", "cpu9"))[0]
    after = h.pipeline.triage(am_body("HighCPU", {"service": "checkout-api",
                                                  "severity": "critical"},
                                      "CPU 97%", "2026-12-01T11:00:00Z", "cpu10"))[0]
    assert (inside.kind, inside.event_type) == ("event", "maintenance")
    assert inside.noise.suppressed_by and "maintenance" in inside.noise.suppressed_by
    assert after.noise.suppressed_by is None


def test_unknown_service_and_silence(harness: HarnessFactory) -> None:
    h = harness()
    h.command("maintenance not-a-service 1h x", user=APPROVER, trigger="t-unknown")
    h.command('silence alertname=DiskFillingUp service=reporting 30m known slow burn',
              user=OUTSIDER, trigger="t-sil-no")
    h.command('silence alertname=DiskFillingUp service=reporting 30m known slow burn',
              user="U0DBA0001", trigger="t-sil-yes")
    unknown, refused, ok = h.api.responses()
    assert "not a catalog service" in unknown.body["text"]
    assert "Refused" in refused.body["text"]
    [silence] = h.pipeline.context.noise.list_silences()
    assert silence.matchers == ['alertname="DiskFillingUp"', 'service="reporting"']
    assert silence.id in ok.body["text"]


def test_why_uses_an_injected_explainer_and_escapes_it(harness: HarnessFactory) -> None:
    seen = []

    def explainer(decision, question: str) -> str:
        seen.append((decision.signal_id, question))
        return f"*{decision.kind}* because <!here> said so"

    h = harness(explainer=explainer)
    [decision] = h.pipeline.triage("the VPN drops every few minutes for me", "slack")
    h.command(f"why {decision.signal_id} is it me?", trigger="t-why-chat")
    [answer] = h.api.responses()
    assert seen == [(decision.signal_id, "is it me?")]
    assert answer.body["text"] == f"*{decision.kind}* because &lt;!here&gt; said so"


def test_why_with_a_question_asks_the_llm_grounded_in_the_record(
        harness: HarnessFactory, slack_settings: Settings, demo_config: OrgConfig) -> None:
    from agent.slack.chat import build_responder
    from tests.support.openai_server import OpenAIServer, completion

    with OpenAIServer() as llm:
        settings = slack_settings.model_copy(update={
            "reasoner": "auto", "openai_base_url": llm.base_url, "llm_model": "test-model"})
        h = harness(chat=build_responder(settings, demo_config))
        [decision] = h.pipeline.triage(am_body(
            "HighErrorRate", {"service": "checkout-api", "severity": "critical"},
            "checkout-api 5xx rate 12%", "2026-12-01T09:05:00Z", "err7"))
        llm.script(completion(f"It is {decision.priority} because <b>checkout</b> is tier 1 "
                              f"[{decision.signal_id}]."))
        h.command(f"why {decision.signal_id} why so urgent?", trigger="t-why-llm")
        [answer] = h.api.responses()
        [request] = llm.requests
    prompt = json.dumps(request["messages"])
    assert "why so urgent?" in prompt and decision.signal_id in prompt
    text = answer.body["text"]
    assert text.startswith(f"It is {decision.priority} because &lt;b&gt;checkout&lt;/b&gt;")
    assert "answered by the LLM" in text and decision.signal_id in text
