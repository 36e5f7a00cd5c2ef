"""The reasoner's learned decisions: each returns None when its head is not shipped.

These replace word lists at the call sites where meaning is read from text (severity of a
notification that carries none, log event_type, security relevance); the structural rules
(thresholds, maintenance, resolved, inhibition, sender severity) stay in `signal_rules`.
"""

from __future__ import annotations

from agent.kernel.signal import Signal
from agent.kernel.taxonomy import EventType
from agent.learning.judge import LearnedJudge, Prediction

SECURITY_AT = 0.5  # calibrated probability at which a signal is called a security signal


def predicted_severity(signal: Signal, judge: LearnedJudge | None
                       ) -> tuple[EventType, float, str] | None:
    """event_type of a notification without a sender severity, from the `severity` head."""
    pred = judge.predict("severity", signal) if judge else None
    if pred is None:
        return None
    return pred.label, pred.probability, _why("severity model", pred)  # type: ignore[return-value]


def predicted_log_type(signal: Signal, judge: LearnedJudge | None
                       ) -> tuple[EventType, float, str] | None:
    """informational vs warning (unusual for its source) for a log line, from the `log` head."""
    pred = judge.predict("log", signal) if judge else None
    if pred is None:
        return None
    return pred.label, pred.probability, _why("log model", pred)  # type: ignore[return-value]


def predicted_notice(signal: Signal, judge: LearnedJudge | None
                     ) -> tuple[EventType, float, str] | None:
    """For a notification whose wording the severity words find nothing in: does its text
    report a problem (then warning) or a plain notice (informational), from the `notice` head.

    Confidence: the head's calibrated probability of the class it picked; a problem's is
    P(problem) times how often such problems are warnings rather than critical in the rule
    corpus (the head does not tell the two apart)."""
    pred = judge.predict("notice", signal) if judge else None
    if judge is None or pred is None:
        return None
    p = pred.probabilities.get("condition", 0.0)
    # the threshold training chose (balanced accuracy out of source); 0.5 for hand-built heads
    if p >= float(judge.meta.get("thresholds", {}).get("notice", 0.5)):
        share = float(judge.meta.get("condition_warning_share", 1.0))
        return "warning", p * share, f"reports a problem p={p:.2f}"
    return "informational", 1.0 - p, f"a notice, no problem p={1.0 - p:.2f}"


def predicted_security(signal: Signal, judge: LearnedJudge | None) -> tuple[bool, float] | None:
    """Whether the signal's text has security implications, and the calibrated probability."""
    pred = judge.predict("security", signal) if judge else None
    if pred is None:
        return None
    p = pred.probabilities.get("security", 0.0)
    return p >= SECURITY_AT, p


def _why(model: str, pred: Prediction) -> str:
    return f"{model}: {pred.label} p={pred.probability:.2f}"
