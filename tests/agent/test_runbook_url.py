"""Alert `runbook_url` annotations reach the decision and Slack as a checked link."""

from __future__ import annotations

import pytest

from agent.config.org import OrgConfig
from agent.kernel.links import runbook_url, safe_url
from agent.slack.blocks import decision_blocks
from agent.slack.explain import explain_decision
from agent.wiring import build_pipeline
from tests.support.payloads import am_body

URL = "https://runbooks.acme.example/checkout/CheckoutHigh5xxRate"


@pytest.mark.parametrize("bad", [
    "javascript:alert(1)", "file:///etc/passwd", "https://x.example/a b", "ftp://x.example/",
    "https://x.example/<!here>", "https://x.example|click me", "https://user@evil.example/",
    "/relative/path", "https://" + "a" * 2100, "", None])
def test_unsafe_urls_are_dropped(bad: str | None) -> None:
    assert safe_url(bad) is None


def test_first_safe_runbook_key_wins() -> None:
    assert runbook_url({"runbook_url": "javascript:x", "runbook": URL}) == URL
    assert runbook_url({}, {"runbook_url": URL}) == URL
    assert runbook_url({"summary": URL}) is None


def test_decision_and_slack_show_the_link(demo_config: OrgConfig) -> None:
    body = am_body("CheckoutHigh5xxRate", {"service": "checkout-api", "severity": "critical"},
                   "checkout-api 5xx at 12%", "2026-12-01T09:00:00Z", "rb1")
    body["alerts"][0]["annotations"]["runbook_url"] = URL
    decision = build_pipeline(config=demo_config).triage(body)[0]
    assert decision.runbook_url == URL
    assert decision.model_dump(mode="json")["runbook_url"] == URL
    text = str(decision_blocks(decision))
    assert f"<{URL}|runbook link>" in text
    assert URL in explain_decision(decision, demo_config)


def test_no_annotation_no_link(demo_config: OrgConfig) -> None:
    body = am_body("CheckoutHigh5xxRate", {"service": "checkout-api", "severity": "critical"},
                   "checkout-api 5xx at 12%", "2026-12-01T09:00:00Z", "rb2")
    decision = build_pipeline(config=demo_config).triage(body)[0]
    assert decision.runbook_url is None and "runbook link" not in str(decision_blocks(decision))
