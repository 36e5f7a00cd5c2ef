"""The offline reasoner: the labeling guide as rules over structure, context and past cases."""

from __future__ import annotations

from typing import Literal

from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import PRIORITIES, Level
from agent.learning.judge import LearnedJudge, shared_judge
from agent.learning.rule_calibration import apply as calibrated
from agent.learning.rule_calibration import load as load_rule_table
from agent.learning.rule_calibration import rule_key
from agent.reasoning import lexicon as lx
from agent.reasoning.claims import guard as claims_guard
from agent.reasoning.history import close_cases, head_team, team_vote, vote
from agent.reasoning.priority import impact_of, urgency_of
from agent.reasoning.signal_rules import (
    HUMAN_SOURCES,
    REPORTED_NORMAL,
    Finding,
    human_finding,
    is_confirmed_violation,
    is_security,
    log_finding,
    metric_finding,
    notification_finding,
    text_of,
)
from agent.reasoning.types import Evidence, Judgement

CORRELATED_IMPACT = "correlated with an open incident"
CORRELATED_CONFIRMATION = "correlated security confirmation"
_PRIORITY_PAIR: dict[str, tuple[Level, Level]] = {
    "P1": ("high", "high"), "P2": ("high", "medium"), "P3": ("medium", "medium"),
    "P4": ("medium", "low"), "P5": ("low", "low"),
}


def _base_finding(ev: Evidence, security: bool, judge: LearnedJudge | None = None) -> Finding:
    """The source-specific rule, after the rules that override every source."""
    s = ev.signal
    text = text_of(s)
    if ev.noise.maintenance:
        return Finding("event", "maintenance", 0.95, "maintenance window",
                       [ev.noise.suppressed_by or "inside a declared window"])
    if s.status == "resolved":
        return Finding("event", "informational", 0.95, "resolved notification", ["status resolved"])
    if (planned := lx.MAINT_ANNOUNCE.search(text)) and not lx.USER_REPORT.search(text):
        return Finding("event", "maintenance", 0.85, "planned work announcement",
                       [planned.group(0)])
    if s.source == "metric" and s.metric is not None:
        return metric_finding(s, ev.config, ev.noise)
    if s.source == "log":
        return log_finding(s, ev.related, security, judge)
    if s.source in HUMAN_SOURCES:
        return human_finding(s, security)
    return notification_finding(s, judge)


def _impact_escalation(ev: Evidence, found: Finding, security: bool) -> Finding:
    """Promote to incident on confirmed service impact (in the signal or its correlated context)."""
    s, text = ev.signal, text_of(ev.signal)
    if found.kind in {"request", "incident"} or found.event_type == "maintenance":
        return found
    if s.status == "resolved":
        return found
    if security:
        if is_confirmed_violation(s):
            return Finding("incident", "exception", 0.85, "confirmed security violation",
                           found.evidence + ["text confirms a violation"])
        if confirmation := correlated_confirmation(ev.related):
            return Finding("incident", "exception", 0.8, CORRELATED_CONFIRMATION,
                           found.evidence + [f"confirmed by {confirmation.signal_id}"])
        return found
    entry = ev.config.services.get(s.service or "")
    customer_facing = bool(entry and entry.customer_facing)
    if found.kind == "alert" and found.event_type == "exception":
        if lx.SLO_BREACH.search(text) or lx.USER_REPORT.search(text):
            return Finding("incident", "exception", 0.85, "SLO breach or user reports",
                           found.evidence + ["signal states user impact"])
        metric_words = s.metric.name.replace("_", " ") if s.metric else ""
        if (customer_facing and lx.ERROR_OR_LATENCY.search(f"{text} {metric_words}")
                and not REPORTED_NORMAL.search(text)):
            return Finding("incident", "exception", 0.8, "error/latency breach on a "
                           "customer-facing service", found.evidence + [f"{s.service} is "
                                                                       "customer facing"])
    if promotable(s, found) and (impact := related_incident(ev.related)):
        return Finding("incident", "exception", 0.8, CORRELATED_IMPACT,
                       found.evidence + [f"incident {impact.signal_id} on "
                                         f"{impact.service or 'a related service'}"])
    return found


def promotable(signal: Signal, found: Finding) -> bool:
    """Alerts, log lines and off-normal metric samples can be promoted by correlated impact."""
    if found.kind == "alert":
        return True
    if found.kind != "event":
        return False
    return signal.source == "log" or (signal.source == "metric"
                                      and found.event_type != "informational")


def correlated_confirmation(related: list[Decision]) -> Decision | None:
    """The latest correlated confirmed security violation (an incident), if any."""
    found = [d for d in related if d.kind == "incident" and d.security
             and d.noise.duplicate_of is None]
    return found[-1] if found else None


HEAD_TEAM_SHARE = 0.5  # the history head names a team when at least this probable
HISTORY_BELOW = 0.8  # past cases may outvote a learned head's finding less confident than this


def _history(ev: Evidence, found: Finding) -> tuple[Finding, list[str], str | None, str | None]:
    """Let close past cases outvote an unsure rule; return team and priority votes too."""
    close = close_cases(ev.cases)
    head = head_team(ev.team_guess, ev.config)
    if not close:
        return found, [], head.value if head and head.share >= HEAD_TEAM_SHARE else None, None
    notes = [f"{c.id} ({c.labels.get('kind', '?')}, {c.score:.2f})" for c in close[:3]]
    kind_vote = vote(close, "kind")
    # past cases outvote an unsure rule; a learned head's confidence was calibrated on public
    # corpora, not on this organisation, so its own cases outvote the head when surer
    unsure = found.confidence < 0.6 or (found.learned and found.confidence < HISTORY_BELOW
                                        and kind_vote is not None
                                        and kind_vote.share > found.confidence)
    if (kind_vote and unsure and kind_vote.share >= 0.6
            and kind_vote.value != found.kind and kind_vote.value in
            {"event", "alert", "incident", "request"}):
        etype = "informational" if kind_vote.value in {"event", "request"} else found.event_type
        if kind_vote.value == "incident":
            etype = "exception"
        found = Finding(kind_vote.value, etype, 0.6, "nearest past cases",  # type: ignore[arg-type]
                        found.evidence + [f"{kind_vote.support} similar past cases say "
                                          f"{kind_vote.value}"])
    teams = team_vote(close, ev.config)
    if head and head.share >= HEAD_TEAM_SHARE:
        # re-fitted on all of the history and shown to beat its majority on the newest part:
        # it answers before the nearest-case vote, which nothing has validated for this org
        teams = head
    prio_vote = vote(close, "priority")
    return (found, notes, teams.value if teams and teams.share >= 0.5 else None,
            prio_vote.value if prio_vote and prio_vote.share >= 0.6 else None)


def _inherit_urgency(ev: Evidence, urgency: Level, why: str,
                     security: bool) -> tuple[Level, str]:
    """An incident is at least as urgent as the correlated incident it joins or confirms."""
    incident = (correlated_confirmation(ev.related) if security
                else related_incident(ev.related))
    order = ["low", "medium", "high"]
    if incident and order.index(incident.urgency) > order.index(urgency):
        return incident.urgency, f"as urgent as incident {incident.signal_id}"
    return urgency, why


class OfflineReasoner:
    """Decides kind, event type, security, impact and urgency without any network."""

    name = "offline"

    def __init__(self, learned: LearnedJudge | None | Literal["shipped"] = "shipped",
                 rule_table: dict[str, dict[str, float]] | None = None) -> None:
        """`learned`: the heads to use ("shipped" loads the packaged weights on first use);
        `rule_table`: per-rule calibrated confidence (default: the shipped table)."""
        self._learned = learned
        self.rule_table = load_rule_table() if rule_table is None else rule_table

    @property
    def learned(self) -> LearnedJudge | None:
        """The learned heads (None: word-list fallbacks only)."""
        if self._learned == "shipped":
            self._learned = shared_judge()
        return self._learned

    def judge(self, evidence: Evidence) -> Judgement:
        """Apply the labeling-guide rules, then context and past cases; explain the result."""
        return claims_guard(evidence, self._judge(evidence), self._judge)

    def _judge(self, evidence: Evidence) -> Judgement:
        s = evidence.signal
        text = text_of(s)
        learned = self.learned
        security = is_security(s, learned)
        found = _base_finding(evidence, security, learned)
        if found.kind == "request":
            security = False
        found = _impact_escalation(evidence, found, security)
        found, case_notes, team, prio = _history(evidence, found)
        confirmed = security and found.kind == "incident"
        impact, why_impact = impact_of(s, evidence.config, security=security, text=text)
        urgency, why_urgency = urgency_of(found.kind, found.event_type, text=text,
                                          security=security, confirmed=confirmed,
                                          reported_by_people=s.source in HUMAN_SOURCES)
        if found.kind == "incident":
            urgency, why_urgency = _inherit_urgency(evidence, urgency, why_urgency, security)
        if (prio in PRIORITIES and s.service not in evidence.config.services
                and found.kind != "request"):
            impact, urgency = _PRIORITY_PAIR[prio]
            why_impact = why_urgency = f"nearest past cases ({prio})"
        rationale = (f"{found.kind}/{found.event_type} by rule '{found.rule}': "
                     f"{'; '.join(found.evidence)}."
                     f"{' Security signal.' if security else ''} Impact {impact} ({why_impact}), "
                     f"urgency {urgency} ({why_urgency}).")
        if case_notes:
            rationale += f" Similar past cases: {', '.join(case_notes)}."
        g = evidence.team_guess
        head = head_team(g, evidence.config) if team else None
        if g and head and head.value == team:
            rationale += (f" History head: team {team} (P {head.share:.2f}; "
                          f"{g.validated_accuracy:.2f} on the newest history vs "
                          f"{g.baseline_accuracy:.2f} for its majority).")
        key = rule_key(found.rule, found.evidence[0] if found.evidence else "")
        return Judgement(kind=found.kind, event_type=found.event_type, security=security,
                         impact=impact, urgency=urgency,
                         confidence=calibrated(self.rule_table, key, found.confidence),
                         rule=key,
                         rationale=rationale, team=team,
                         citations=[c.id for c in close_cases(evidence.cases)[:3]])


def related_incident(related: list[Decision]) -> Decision | None:
    """The latest correlated service-impact incident (not a security one), if any."""
    found = [d for d in related if d.kind == "incident" and not d.security
             and d.noise.duplicate_of is None]
    return found[-1] if found else None
