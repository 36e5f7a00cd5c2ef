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


def predicted_security(signal: Signal, judge: LearnedJudge | None) -> tuple[bool, float] | None:
    """Whether the signal's text has security implications, and the calibrated probability."""
    pred = judge.predict("security", signal) if judge else None
    if pred is None:
        return None
    p = pred.probabilities.get("security", 0.0)
    return p >= SECURITY_AT, p


def _why(model: str, pred: Prediction) -> str:
    return f"{model}: {pred.label} p={pred.probability:.2f}"
