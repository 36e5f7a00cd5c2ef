"""The offline reasoner follows the CONTRACTS §1 labeling guide on hand-built signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision, Noise
from agent.kernel.signal import MetricSample, Signal
from agent.kernel.taxonomy import priority_for
from agent.noise.types import NoiseOutcome
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.types import Evidence
from knowledge.types import CaseHit, LabelGuess

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def sig(source: str = "alertmanager", *, title: str = "", text: str = "", severity=None,
        service=None, status="firing", labels=None, metric=None, ts=T0, fp="fp1") -> Signal:
    return Signal(signal_id=f"s-{fp}-{ts.minute}", source=source, fingerprint=fp, status=status,
                  title=title, text=text, severity=severity, service=service,
                  labels=labels or {}, metric=metric, timestamp=ts, received_at=ts)


def judge(signal: Signal, config: OrgConfig, *, noise: NoiseOutcome | None = None,
          related=None, cases=None):
    ev = Evidence(signal=signal, config=config, noise=noise or NoiseOutcome(group_id="g"),
                  related=related or [], cases=cases or [])
    return OfflineReasoner().judge(ev)


def test_metric_thresholds(demo_config: OrgConfig) -> None:
    def m(v: float):
        return judge(sig("metric", title="cpu", service="checkout-api",
                         metric=MetricSample(name="cpu_usage_percent", value=v)), demo_config)
    assert (m(55).kind, m(55).event_type) == ("event", "informational")
    assert (m(80).kind, m(80).event_type) == ("event", "warning")
    assert (m(95).kind, m(95).event_type) == ("alert", "exception")  # at critical is a breach


def test_error_rate_breach_on_customer_facing_is_incident(demo_config: OrgConfig) -> None:
    j = judge(sig("metric", title="errors", service="checkout-api",
                  metric=MetricSample(name="http_error_rate_percent", value=7)), demo_config)
    assert (j.kind, j.event_type) == ("incident", "exception")
    assert "customer-facing" in j.rationale


def test_notification_follows_sender_severity(demo_config: OrgConfig) -> None:
    crit = judge(sig(title="HighCPU", text="CPU at 97% for 5 minutes", severity="critical",
                     service="checkout-api"), demo_config)
    assert (crit.kind, crit.event_type) == ("alert", "exception")
    assert priority_for(crit.impact, crit.urgency) == "P2"  # tier 1, no confirmed impact
    warn = judge(sig(title="DiskFilling", text="will fill in 3 days", severity="warning",
                     service="reporting"), demo_config)
    assert (warn.kind, warn.event_type, warn.urgency, warn.impact) == (
        "alert", "warning", "low", "low")
    info = judge(sig(title="Deploy", text="deployed v2", severity="info"), demo_config)
    assert (info.kind, info.event_type) == ("event", "informational")


def test_resolved_heartbeat_and_maintenance(demo_config: OrgConfig) -> None:
    resolved = judge(sig(title="X", severity="critical", status="resolved"), demo_config)
    assert (resolved.kind, resolved.event_type) == ("event", "informational")
    hb = judge(sig(title="Watchdog", labels={"alertname": "Watchdog"}, severity="none"),
               demo_config)
    assert (hb.kind, hb.event_type) == ("event", "informational")
    inside = judge(sig(title="PostgresDown", severity="critical", service="orders-db"),
                   demo_config, noise=NoiseOutcome(group_id="g", maintenance=True,
                                                   suppressed_by="maintenance:upgrade"))
    assert (inside.kind, inside.event_type) == ("event", "maintenance")
    ann = judge(sig("slack", text="Planned maintenance on orders-db tonight 01:00-03:00"),
                demo_config)
    assert (ann.kind, ann.event_type) == ("event", "maintenance")


@pytest.mark.parametrize(("text", "kind", "security"), [
    ("Please give me access to the finance share", "request", False),
    ("Could you set up a new laptop for our new hire?", "request", False),
    ("Sorry to bother you, no rush, but nobody in the office can log in to the VPN", "incident",
     False),
    ("I received a suspicious email asking for gift cards, looks like phishing", "event", True),
    ("Suspicious email: I clicked the link before I noticed it was phishing", "alert", True),
    ("I clicked the link and entered my password, now my account is compromised", "incident",
     True),
    ("FYI dashboards refresh at 18:00", "event", False),
])
def test_tickets(demo_config: OrgConfig, text: str, kind: str, security: bool) -> None:
    j = judge(sig("ticket", title=text.split(",")[0], text=text), demo_config)
    assert (j.kind, j.security) == (kind, security)


def test_polite_outage_urgency_comes_from_situation(demo_config: OrgConfig) -> None:
    j = judge(sig("ticket", service="checkout-api", text="No rush at all, but checkout is down "
                  "for all customers"), demo_config)
    assert (j.kind, j.impact, j.urgency) == ("incident", "high", "high")


def test_confirmed_malware_vs_blocked_attempt(demo_config: OrgConfig) -> None:
    mal = judge(sig("pagerduty", title="Malware confirmed on fin-laptop-12: trojan executing",
                    severity="critical"), demo_config)
    assert (mal.kind, mal.security, mal.urgency) == ("incident", True, "high")
    waf = judge(sig(title="WAF blocked SQL injection attempts", severity="warning"), demo_config)
    assert (waf.kind, waf.security) == ("alert", True)


def test_failed_login_burst_becomes_alert(demo_config: OrgConfig) -> None:
    line = "sshd[1]: Failed password for invalid user admin from 203.0.113.7"
    related = []
    for i in range(4):
        ts = T0 + timedelta(seconds=10 * i)
        related.append(Decision(signal_id=f"l{i}", source="log", fingerprint="same",
                                received_at=ts, timestamp=ts, kind="event",
                                event_type="warning", security=True, impact="medium",
                                urgency="low", priority="P4", severity="SEV4",
                                noise=Noise(group_id="g")))
    single = judge(sig("log", text=line, fp="same"), demo_config)
    assert (single.kind, single.security) == ("event", True)
    fifth = judge(sig("log", text=line, fp="same", ts=T0 + timedelta(seconds=45)), demo_config,
                  related=related)
    assert (fifth.kind, fifth.security) == ("alert", True)


def test_routine_error_log_is_informational(demo_config: OrgConfig) -> None:
    j = judge(sig("log", text="[error] open() favicon.ico failed (2: No such file)",
                  severity="error"), demo_config)
    assert (j.kind, j.event_type) == ("event", "informational")


def test_alert_correlated_with_incident_escalates(demo_config: OrgConfig) -> None:
    incident = Decision(signal_id="t1", source="ticket", fingerprint="x", received_at=T0,
                        timestamp=T0, kind="incident", event_type="exception", impact="high",
                        urgency="medium", priority="P2", severity="SEV2", service="checkout-api",
                        noise=Noise(group_id="g"))
    j = judge(sig(title="HighCPU", severity="critical", service="checkout-api"), demo_config,
              related=[incident])
    assert j.kind == "incident" and "t1" in j.rationale


@pytest.mark.parametrize(("learned", "confidence", "share", "outvoted"), [
    (True, 0.7, 1.0, True),  # the organisation's cases are surer than the head
    (True, 0.7, 2 / 3, False),  # ... and here they are not
    (True, 0.85, 1.0, False),  # a sure head keeps its call
    (False, 0.7, 1.0, False),  # a rule only below 0.6, as before
    (False, 0.55, 1.0, True),
])
def test_past_cases_outvote_a_learned_head_they_are_surer_than(
        demo_config: OrgConfig, learned: bool, confidence: float, share: float,
        outvoted: bool) -> None:
    from agent.reasoning.offline import _history
    from agent.reasoning.signal_rules import Finding

    kinds = ["incident", "incident", "incident"] if share == 1.0 else ["incident", "incident",
                                                                      "event"]
    cases = [CaseHit(id=f"c{i}", score=0.9, text="", labels={"kind": k})
             for i, k in enumerate(kinds)]
    ev = Evidence(signal=sig(title="Something odd"), config=demo_config,
                  noise=NoiseOutcome(group_id="g"), cases=cases)
    finding = Finding("event", "informational", confidence, "some rule", ["x"], learned=learned)
    found, *_ = _history(ev, finding)
    assert (found.kind == "incident") is outvoted


def test_past_cases_decide_when_rules_are_unsure(demo_config: OrgConfig) -> None:
    cases = [CaseHit(id=f"c{i}", score=0.9, text="", labels={"kind": "incident", "team": "web"})
             for i in range(3)]
    j = judge(sig(title="Something odd", text="it happened again"), demo_config, cases=cases)
    assert j.kind == "incident" and j.team == "web"
    assert "c0" in j.citations


def _guess(probabilities: dict[str, float]) -> LabelGuess:
    return LabelGuess(label="team", probabilities=probabilities, validated_accuracy=0.8,
                      baseline_accuracy=0.5, cases=200)


@pytest.mark.parametrize(("probabilities", "team"), [
    ({"data": 0.7, "web": 0.3}, "data"),  # the head answers before the nearest-case vote
    ({"data": 0.4, "web": 0.35, "it": 0.25}, "web"),  # unsure head: the vote decides
    ({"ghost-team": 0.9, "data": 0.1}, "web"),  # a team the config lacks is never named
])
def test_the_history_head_routes_among_known_teams(demo_config: OrgConfig,
                                                   probabilities: dict[str, float],
                                                   team: str) -> None:
    cases = [CaseHit(id=f"c{i}", score=0.9, text="", labels={"kind": "incident", "team": "web"})
             for i in range(3)]
    ev = Evidence(signal=sig(title="Something odd", text="it happened again"), config=demo_config,
                  noise=NoiseOutcome(group_id="g"), cases=cases,
                  team_guess=_guess(probabilities))
    assert OfflineReasoner().judge(ev).team == team


def test_the_history_head_routes_without_close_cases(demo_config: OrgConfig) -> None:
    ev = Evidence(signal=sig(title="Something odd"), config=demo_config,
                  noise=NoiseOutcome(group_id="g"), team_guess=_guess({"it": 0.9, "web": 0.1}))
    judgement = OfflineReasoner().judge(ev)
    assert judgement.team == "it"
    assert "History head: team it (P 0.90; 0.80 on the newest history" in judgement.rationale
