"""Pure parts of the Slack app: command parsing, permissions, escaping, Block Kit, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.config.org import OrgConfig
from agent.kernel.decision import ActionRef, Decision, DocRef, Noise
from agent.slack.app import SlackConfigError, api_base_url, build_bolt_app
from agent.slack.blocks import APPROVE, RESOLVE, PendingApproval, decision_blocks
from agent.slack.command import CommandError, Help, Suppress, TriageText, Why, parse_command
from agent.slack.listeners.messages import is_triageable
from agent.slack.notify import should_notify
from agent.slack.permissions import is_approver, may_suppress
from agent.slack.reply import delivery_key, strip_mention
from agent.slack.text import escape, safe


def _decision(**kw) -> Decision:
    base = dict(signal_id="sig-1", source="alertmanager", fingerprint="f",
                received_at=datetime(2026, 12, 1, tzinfo=UTC), kind="incident",
                event_type="exception", impact="high", urgency="high", priority="P1",
                severity="SEV1", service="checkout-api", team="payments",
                title="checkout <b>down</b>", rationale="SLO breach & user reports")
    return Decision(**{**base, **kw})


def test_parse_command_subcommands() -> None:
    assert parse_command("") == Help() and parse_command("help") == Help()
    assert parse_command("why sig-42") == Why("sig-42")
    assert parse_command("why sig-42 what changed before?") == Why("sig-42",
                                                                 "what changed before?")
    assert parse_command("  vpn is down for everyone ") == TriageText("vpn is down for everyone")
    mw = parse_command("maintenance orders-db 90m PostgreSQL minor upgrade")
    assert mw == Suppress("maintenance", ['service="orders-db"'], timedelta(minutes=90),
                          "PostgreSQL minor upgrade", "orders-db")
    sil = parse_command('silence alertname=~"Disk.*" env!=dev 1h slow burn')
    assert isinstance(sil, Suppress) and sil.matchers == ['alertname=~"Disk.*"', 'env!="dev"']
    assert sil.service is None and sil.reason == "slow burn"


@pytest.mark.parametrize("text", ["why", "maintenance x", "maintenance x 2h",
                                  "maintenance x soon why", "maintenance x 30d long",
                                  'maintenance a"b 1h x', "silence 1h no matchers",
                                  "silence alertname=~( 1h bad regex"])
def test_parse_command_errors(text: str) -> None:
    with pytest.raises(CommandError):
        parse_command(text)


def test_permissions_deny_by_default(demo_config: OrgConfig) -> None:
    assert is_approver(demo_config, "payments", "U024BE7LH")
    assert not is_approver(demo_config, "payments", "U0WEB0001")
    assert not is_approver(demo_config, None, "U024BE7LH")
    assert not is_approver(demo_config, "it", "anyone")  # a team with no approvers
    assert not is_approver(demo_config, "payments", "")
    assert may_suppress(demo_config, "checkout-api", "U024BE7LH")[0]
    assert not may_suppress(demo_config, "checkout-api", "U0DBA0001")[0]
    assert not may_suppress(demo_config, "ghost", "U024BE7LH")[0]
    assert not may_suppress(OrgConfig(), None, "U1")[0]


def test_escape_and_safe() -> None:
    assert escape("<!here> a & b <@U1>") == "&lt;!here&gt; a &amp; b &lt;@U1&gt;"
    assert "xoxb-1234-abcdefgh" not in safe("token xoxb-1234-abcdefgh")
    assert len(safe("x" * 5000, 100)) == 100


def test_decision_blocks_escape_and_buttons() -> None:
    decision = _decision(runbooks=[DocRef(id="checkout/down.md", title="Down", score=0.8)],
                         actions=[ActionRef(tool="systemd_restart", status="awaiting_approval")])
    blocks = decision_blocks(decision, approvals=[PendingApproval(
        "ap1", "systemd_restart", {"unit": "checkout-api.service"}, "risky", "2026-12-01T10Z")])
    text = str(blocks)
    assert "<b>" not in text and "&lt;b&gt;" in text and "&amp; user reports" in text
    assert "checkout/down.md" in text and "INCIDENT P1" in text
    elements = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {(e["action_id"], e["value"]) for e in elements} >= {(APPROVE, "ap1"),
                                                                 (RESOLVE, "sig-1")}
    assert all(len(e["text"]["text"]) <= 75 for e in elements)
    event = decision_blocks(_decision(kind="event", priority="P5"))
    assert not [b for b in event if b["type"] == "actions"]


def test_should_notify_only_fresh_alerts_and_incidents() -> None:
    assert should_notify(_decision()) and should_notify(_decision(kind="alert"))
    assert not should_notify(_decision(kind="event"))
    assert not should_notify(_decision(kind="request"))
    assert not should_notify(_decision(noise=Noise(duplicate_of="sig-0")))
    assert not should_notify(_decision(noise=Noise(suppressed_by="maintenance:x")))


def test_message_filters_and_mentions() -> None:
    human = {"type": "message", "user": "U1", "text": "db down", "ts": "1.0"}
    assert is_triageable(human, "UBOT")
    assert not is_triageable({**human, "subtype": "message_deleted"}, "UBOT")
    assert not is_triageable({**human, "bot_id": "B1"}, "UBOT")
    assert not is_triageable({**human, "thread_ts": "0.5"}, "UBOT")
    assert is_triageable({**human, "thread_ts": "1.0"}, "UBOT")  # thread parent
    assert not is_triageable({**human, "text": "<@UBOT> db down"}, "UBOT")
    assert strip_mention("<@UBOT|triage>  db   down", "UBOT") == "db down"
    assert delivery_key({"event_id": "Ev1"}, human) == "slack:Ev1"


def test_build_requires_signing_secret_in_http_mode(demo_config: OrgConfig) -> None:
    from agent.config.settings import Settings
    from agent.wiring import build_pipeline

    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1-2-three")
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        build_bolt_app(settings, demo_config, build_pipeline(config=demo_config))
    assert api_base_url(settings) == "https://slack.com/api/"
    assert api_base_url(settings.model_copy(update={"slack_api_url": "http://x/api"})) \
        == "http://x/api/"
