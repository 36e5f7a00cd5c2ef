"""Kind and event-type rules by source: the CONTRACTS §1 labeling guide as code.

Each rule returns a `Finding` naming itself, so every decision says which rule decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.config.org import OrgConfig, Threshold
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import EventType, Kind, sender_event_type
from agent.learning.judge import LearnedJudge
from agent.noise.types import NoiseOutcome
from agent.reasoning import lexicon as lx
from agent.reasoning.learned import (
    predicted_log_type,
    predicted_notice,
    predicted_security,
    predicted_severity,
)

NOTIFICATION_SOURCES = {"alertmanager", "grafana", "pagerduty", "generic"}
HUMAN_SOURCES = {"ticket", "slack"}

# Contract conventions on notification structure (CONTRACTS §1 "Missing severity", "Job notices").
MISSING_HEARTBEAT = re.compile(
    r"\b(?:no|missing|missed|lost|absent|stale)\s+(?:\w+\s+)?heart-?beats?\b"
    r"|\bheart-?beats?\s+(?:is\s+|are\s+|has\s+|have\s+)?(?:missing|missed|lost|absent|"
    r"expired|stopped|overdue|late|not\s+(?:received|seen|sent)|timed?\s*out)"
    r"|\bdead\s*man'?s?\s*(?:switch|snitch)\s+(?:has\s+|was\s+)?(?:tripped|triggered|fired|"
    r"expired|missed)|\b(?:has|have)\s+not\s+(?:checked\s+in|reported\s+in|pinged)"
    r"|\b(?:watchdog|heartbeat)\s+(?:is\s+)?(?:not\s+firing|absent|silent)", re.I)
NOTIFICATION_TEST = re.compile(
    r"^\s*\[?test\]?[\s:-]|\btest(?:ing)?\s+(?:notification|alert|message|page|event)s?\b"
    r"|\bthis\s+is\s+(?:a|only\s+a)\s+test\b|\bnotification\s+test\b|\btest_?alert\b", re.I)
# "What a breach is": values reported as normal, or a metric only named, are no breach.
REPORTED_NORMAL = re.compile(
    r"\b(?:is|are|looks?|remains?|stays?|back)\s+(?:to\s+)?(?:normal|healthy|fine|ok|green)\b"
    r"|\bwithin\s+(?:the\s+)?(?:slo|sla|threshold|target|budget|limits?)\b"
    r"|\bbelow\s+(?:the\s+)?(?:threshold|target|slo|limit)\b|\bno\s+(?:errors|impact)\b", re.I)
JOB_NOTICE = re.compile(
    r"\b(?:job|cron\s?job|pipeline|build|workflow|ci|dag|task|batch)\b[^.\n]{0,60}?"
    r"\b(?:fail(?:ed|ing|s)?|errored|error)\b", re.I)
JOB_ROUTINE = re.compile(
    r"\b(?:will\s+(?:be\s+)?retr(?:y|ied)|retrying|retry\s+\d|attempt\s+\d+\s*(?:/|of)\s*\d+"
    r"|feature[-/\s]branch|branch\s+['\"]?(?:feature|feat|fix|dev|topic|wip)[-/]|merge\s+request"
    r"|pull\s+request)", re.I)


@dataclass
class Finding:
    """A provisional classification and the rule (plus evidence) that produced it."""

    kind: Kind
    event_type: EventType
    confidence: float
    rule: str
    evidence: list[str] = field(default_factory=list)
    learned: bool = False  # decided by a learned head (its confidence is its probability)


def text_of(signal: Signal) -> str:
    """All human-readable text of a signal, as one string for cue matching."""
    return f"{signal.title}\n{signal.text}"


def is_security(signal: Signal, judge: LearnedJudge | None = None) -> bool:
    """True when the signal itself concerns hostile activity or has security implications.

    Structured fields decide first (a security category label, a security tool as sender);
    then the learned `security` head reads the text (the word list only without a model)."""
    labels = signal.label_view()
    if any(labels.get(k, "").lower() in {"security", "siem", "ids", "edr"}
           for k in ("category", "type", "team", "class", "group")):
        return True
    if lx.SECURITY_TOOLS.search(" ".join([signal.source, *labels.values()])):
        return True
    learned = predicted_security(signal, judge)
    if learned is not None:
        return learned[0]
    text = text_of(signal)
    if signal.metric is not None:  # failed-login counters: the metric name is the evidence
        text = f"{text}\n{re.sub(r'[_.:]+', ' ', signal.metric.name)}"
    return bool(lx.SECURITY.search(text))


def is_confirmed_violation(signal: Signal) -> bool:
    """True when the text confirms a violation (not an attempt, suspicion or blocked try)."""
    text = text_of(signal)
    confirmed = [m.group(0).lower() for m in lx.CONFIRMED.finditer(text)
                 if not lx.NEGATION.search(text[max(0, m.start() - 40):m.start()])]
    if not confirmed:
        return False
    if [c for c in confirmed if c not in {"compromised", "infected", "confirmed"}]:
        return True
    return lx.NOT_CONFIRMED.search(text) is None


def threshold_finding(signal: Signal, threshold: Threshold) -> Finding:
    """Compare a metric sample with its configured warning and critical levels."""
    assert signal.metric is not None
    value, name = signal.metric.value, signal.metric.name
    above = threshold.direction == "above"

    def hit(level: float | None) -> bool:
        return level is not None and (value >= level if above else value <= level)

    if hit(threshold.critical):
        return Finding("alert", "exception", 0.95, "metric breach",
                       [f"{name}={value:g} at or past critical {threshold.critical:g}"])
    if hit(threshold.warning):
        return Finding("event", "warning", 0.9, "metric soft threshold",
                       [f"{name}={value:g} at or past warning {threshold.warning:g}"])
    return Finding("event", "informational", 0.9, "metric within thresholds",
                   [f"{name}={value:g} below warning"])


def metric_finding(signal: Signal, config: OrgConfig, noise: NoiseOutcome) -> Finding:
    """Raw telemetry: an event, unless it breaches its threshold or its learned baseline."""
    assert signal.metric is not None
    threshold = config.thresholds.get(signal.metric.name)
    if threshold is not None:
        found = threshold_finding(signal, threshold)
        if found.kind == "alert" or noise.anomaly is None:
            return found
    if noise.anomaly:
        return Finding("alert", "exception", 0.75, "dynamic baseline deviation", [noise.anomaly])
    return Finding("event", "informational", 0.7, "metric sample without threshold",
                   [f"{signal.metric.name}={signal.metric.value:g}"])


def failed_login_burst(signal: Signal, related: list[Decision]) -> int:
    """How many security events of the same fingerprint arrived in the minute up to this one."""
    end = signal.timestamp.timestamp()
    return 1 + sum(1 for d in related if d.fingerprint == signal.fingerprint and d.security
                   and d.timestamp is not None and end - 60 <= d.timestamp.timestamp() <= end)


def log_finding(signal: Signal, related: list[Decision], security: bool,
                judge: LearnedJudge | None = None) -> Finding:
    """Log lines are events: routine errors informational, unusual ones warnings, bursts alerts."""
    text = text_of(signal)
    if security:
        burst = failed_login_burst(signal, related)
        if burst >= 5:
            return Finding("alert", "exception", 0.85, "security event burst",
                           [f"{burst} matching security log lines within 1 minute"])
        return Finding("event", "warning", 0.75, "security log line", ["single security log line"])
    if lx.SLO_BREACH.search(text) or lx.USER_REPORT.search(text):
        return Finding("incident", "exception", 0.7, "log shows user impact",
                       ["log line reports user impact or an SLO breach"])
    learned = predicted_log_type(signal, judge)
    if learned is not None:
        etype, conf, why = learned
        return Finding("event", etype, conf, "log model", [why], learned=True)
    if unusual := lx.LOG_UNUSUAL.search(text):
        return Finding("event", "warning", 0.75, "unusual log line",
                       [f"unusual condition: {unusual.group(0)}"])
    if sender_event_type(signal.severity) == "warning":
        return Finding("event", "warning", 0.75, "warning-level log line",
                       [f"level {signal.severity}"])
    detail = f"level {signal.severity}" if signal.severity else "no level"
    return Finding("event", "informational", 0.8, "routine log line", [detail])


NO_WORDING = "no severity given and no breach, failure or impact reported"


def inferred_severity(text: str) -> tuple[EventType, float, str]:
    """Fallback without a shipped model: the rule's severity guessed from its wording."""
    strong = len(lx.SEV_EXCEPTION.findall(text))
    exc = 2 * strong + len(lx.SEV_EXCEPTION_WEAK.findall(text)) if strong else 0
    warn = 2 * len(lx.SEV_WARNING.findall(text))
    info = len(lx.SEV_INFO.findall(text))
    if info and not exc and info >= warn:
        return "informational", 0.55, "wording reads informational"
    if exc > warn:
        return "exception", 0.6, "wording reads as a failure"
    if warn:
        return "warning", 0.6, "wording reads as a soft condition"
    if exc:
        return "exception", 0.55, "wording reads as a failure"
    # a failure or a breach reported without a hard-failure word is still not info-level
    # (contract §1, missing severity); on the training corpus these read warning more often
    if lx.SEV_EXCEPTION_WEAK.search(text):
        return "warning", 0.55, "reports a failure"
    if lx.SEV_BREACH.search(text):
        return "warning", 0.55, "reports a value against its threshold"
    return "informational", 0.5, NO_WORDING


def notification_finding(signal: Signal, judge: LearnedJudge | None = None) -> Finding:
    """A fired monitoring rule is an alert whose event type follows the sender's severity."""
    text = text_of(signal)
    alertname = signal.labels.get("alertname", signal.title)
    if missing := MISSING_HEARTBEAT.search(text):
        return Finding("alert", "exception", 0.85, "missing heartbeat",
                       [f"a heartbeat is missing ({missing.group(0)!r})"])
    if lx.HEARTBEAT.search(alertname) or lx.HEARTBEAT.search(signal.title):
        return Finding("event", "informational", 0.9, "heartbeat", [f"{alertname} is a heartbeat"])
    if test := NOTIFICATION_TEST.search(f"{alertname}\n{text}"):
        return Finding("event", "informational", 0.85, "notification test",
                       [f"a test notification ({test.group(0).strip()!r})"])
    if (job := JOB_NOTICE.search(text)) and (routine := JOB_ROUTINE.search(text)):
        return Finding("event", "warning", 0.75, "job notice",
                       [f"scheduler/CI notice ({job.group(0)!r}, {routine.group(0)!r})"])
    etype = sender_event_type(signal.severity)
    if etype is not None:
        kind: Kind = "event" if etype == "informational" else "alert"
        return Finding(kind, etype, 0.9, "sender severity", [f"severity={signal.severity}"])
    learned = predicted_severity(signal, judge)  # its probability is calibrated already
    etype, conf, why = learned or inferred_severity(text)
    rule = "severity model" if learned else "inferred severity"
    notice = predicted_notice(signal, judge) if not learned and why == NO_WORDING else None
    if notice is not None:  # the words found nothing: does the text report a problem at all?
        (etype, conf, why), rule = notice, "notice model"
    kind = "event" if etype == "informational" else "alert"
    return Finding(kind, etype, conf, rule, [why],
                   learned=learned is not None or notice is not None)


def human_finding(signal: Signal, security: bool) -> Finding:
    """Tickets and chat: requests, reports of something broken, or plain notes."""
    text = text_of(signal)
    problem = lx.PROBLEM.search(text) or lx.CANT.search(text) or lx.HARD_FAILURE.search(text)
    strong = lx.PROBLEM.search(text) or lx.HARD_FAILURE.search(text)
    if not security and lx.REQUEST.search(text) and not strong:
        return Finding("request", "informational", 0.85, "service request",
                       ["asks for something; nothing reported broken"])
    if security:
        if lx.INTERACTED.search(text) and not lx.NEGATION.search(text):
            return Finding("alert", "warning", 0.7, "reported security exposure",
                           ["a person interacted with something suspicious"])
        return Finding("event", "warning", 0.7, "reported security concern",
                       ["a person reports suspicious activity, no interaction"])
    if lx.ALREADY_FIXED.search(text) and not lx.HARD_FAILURE.search(text):
        return Finding("event", "informational", 0.7, "note about a fixed problem",
                       ["the report says it is already fixed"])
    if problem:
        return Finding("incident", "exception", 0.75, "user report of a disruption",
                       [f"reports a problem: {problem.group(0)!r}"])
    if lx.REQUEST.search(text):
        return Finding("request", "informational", 0.7, "service request", ["asks for something"])
    if lx.FYI.search(text):
        return Finding("event", "informational", 0.7, "note without a problem",
                       ["an informational note; nothing reported broken"])
    return Finding("incident", "exception", 0.55, "report of an unnamed disruption",
                   ["a person reports something that is not a request or a note"])
