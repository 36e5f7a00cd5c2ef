"""CONTRACTS §1 clarified conventions, on hand-written signals through the real offline reasoner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.config.org import OrgConfig, Threshold
from agent.kernel.signal import MetricSample, Signal
from agent.kernel.taxonomy import priority_for
from agent.noise.types import NoiseOutcome
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Evidence, Judgement

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def note(title: str, text: str = "", *, severity: str | None = None, service: str | None = None,
         source: str = "alertmanager", metric: MetricSample | None = None) -> Signal:
    """A notification-like signal with an optional sender severity."""
    labels = {"alertname": title} if source == "alertmanager" else {}
    return Signal(signal_id="s1", source=source, fingerprint="fp", title=title, text=text,
                  severity=severity, service=service, labels=labels, metric=metric,
                  timestamp=T0, received_at=T0)


def judge(signal: Signal, config: OrgConfig) -> Judgement:
    """The offline judgement with no context."""
    return OfflineReasoner().judge(Evidence(signal=signal, config=config,
                                            noise=NoiseOutcome(group_id="g")))


@pytest.mark.parametrize(("title", "text"), [
    ("BackupAgentSilent", "No heartbeat from backup-agent on db-3 for 15 minutes"),
    ("CronMonitor", "Dead man's switch tripped: nightly export did not check in"),
    ("ExporterCheck", "Heartbeat missing for the payments exporter"),
])
def test_missing_heartbeat_is_an_alert(demo_config: OrgConfig, title: str, text: str) -> None:
    j = judge(note(title, text), demo_config)
    assert (j.kind, j.event_type) == ("alert", "exception")


def test_a_heartbeat_itself_is_an_event(demo_config: OrgConfig) -> None:
    j = judge(note("Watchdog", "This alert is always firing to prove the pipeline works",
                   severity="none"), demo_config)
    assert (j.kind, j.event_type) == ("event", "informational")


@pytest.mark.parametrize("text", ["[TEST] Notification test from the contact point",
                                  "This is a test alert, please ignore"])
def test_notification_test_is_informational(demo_config: OrgConfig, text: str) -> None:
    j = judge(note("ContactPointCheck", text, severity="critical"), demo_config)
    assert (j.kind, j.event_type) == ("event", "informational")


def test_missing_severity_is_info_unless_text_reports_failure(demo_config: OrgConfig) -> None:
    quiet = judge(note("ConfigReloaded", "Configuration of the edge proxy was reloaded"),
                  demo_config)
    assert (quiet.kind, quiet.event_type) == ("event", "informational")
    failing = judge(note("ApiDown", "The orders API is down and unreachable"), demo_config)
    assert failing.kind in {"alert", "incident"} and failing.event_type == "exception"


@pytest.mark.parametrize(("title", "text"), [
    ("ReplicaSync", "Replication to the standby in eu-west failed"),
    ("QueueDepth", "Queue depth on orders-consumer is 1200, above the threshold of 1000"),
    ("VolumeUsage", "Volume /data on db-2 utilization > 85%"),
])
def test_missing_severity_with_a_reported_failure_or_breach_is_an_alert(
        demo_config: OrgConfig, title: str, text: str) -> None:
    j = judge(note(title, text), demo_config)
    assert (j.kind, j.event_type) == ("alert", "warning")
    assert "no breach, failure or impact" not in j.rationale


def test_a_duration_is_not_a_breach(demo_config: OrgConfig) -> None:
    j = judge(note("PoolResized", "The edge pool was resized over the last 5 minutes"),
              demo_config)
    assert (j.kind, j.event_type) == ("event", "informational")


@pytest.mark.parametrize("text", [
    "Job nightly-etl failed (exit 1), will retry in 5 minutes",
    "Pipeline #4412 failed on branch feature/login-form",
])
def test_job_notices_are_telemetry(demo_config: OrgConfig, text: str) -> None:
    j = judge(note("CI", text, severity="error", source="generic"), demo_config)
    assert (j.kind, j.event_type) == ("event", "warning")


def test_failed_login_counter_is_a_security_signal(demo_config: OrgConfig) -> None:
    config = demo_config.model_copy(update={"thresholds": {
        **demo_config.thresholds, "failed_logins_total": Threshold(warning=20, critical=100)}})
    sample = note("failed_logins_total", source="metric", service="auth-service",
                  metric=MetricSample(name="failed_logins_total", value=450))
    j = judge(sample, config)
    assert (j.kind, j.event_type, j.security) == ("alert", "exception", True)
    cpu = judge(note("cpu", source="metric", service="auth-service",
                     metric=MetricSample(name="cpu_usage_percent", value=50)), config)
    assert cpu.security is False


def test_partial_failures_now_are_urgent_unless_a_workaround(demo_config: OrgConfig) -> None:
    failing = judge(note("CheckoutErrors", "Some users get 502 errors when paying",
                         service="checkout-api", source="slack"), demo_config)
    assert (failing.kind, failing.urgency) == ("incident", "high")
    assert priority_for(failing.impact, failing.urgency) == "P1"
    slow = judge(note("CheckoutSlow", "Checkout errors for some users, retries succeed",
                      source="slack"), demo_config)
    assert (slow.kind, slow.urgency) == ("incident", "medium")


def test_history_team_vote_only_for_teams_in_the_config(demo_config: OrgConfig) -> None:
    from knowledge.types import CaseHit

    cases = [CaseHit(id=f"h{i}", score=0.9, text="t", labels={"kind": "incident", "team": team})
             for i, team in enumerate(["ghost-team", "ghost-team", "ghost-team", "web"])]
    ev = Evidence(signal=note("Page blank", "the shop page is blank", source="slack"),
                  config=demo_config, noise=NoiseOutcome(group_id="g"), cases=cases)
    assert OfflineReasoner().judge(ev).team == "web"  # the unknown team never wins


def test_error_values_reported_as_normal_are_no_breach(demo_config: OrgConfig) -> None:
    normal = judge(note("CheckoutErrorRateReport", "checkout-api error rate is back to normal "
                        "(0.1 %), within the SLO", severity="critical", service="checkout-api"),
                   demo_config)
    assert normal.kind == "alert"
    breach = judge(note("CheckoutErrorRate", "checkout-api error rate 7 % for 10 minutes",
                        severity="critical", service="checkout-api"), demo_config)
    assert breach.kind == "incident"
