"""Learning and feedback from stored signals: `triage learn` and `triage kb feedback`.

Both read the signal and its decision through the `StoredSignals` port (the core's signal
store); a learning goes to quarantine, feedback becomes a labeled past case for `similar_cases`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.cases import case_text
from knowledge.learnings import Learning, LearningStore
from knowledge.types import StoredSignals

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

FEEDBACK_KINDS = ("event", "alert", "incident", "request")


class FeedbackError(ValueError):
    """The signal is unknown or the feedback is invalid."""


def learning_from_signal(store: StoredSignals, signal_id: str, *, fix: str,
                         runbook: str | None = None, author: str = "unknown",
                         links: list[str] | None = None) -> Learning:
    """Build a learning (symptom, decision, fix) from a stored signal and its decision."""
    signal = store.get_signal(signal_id)
    if signal is None:
        raise FeedbackError(f"no stored signal {signal_id!r}")
    if not fix.strip():
        raise FeedbackError("--fix must say what fixed it")
    decision = store.get_decision(signal_id)
    if decision is not None:
        summary = (f"{decision.kind} {decision.priority} team={decision.team or '-'} "
                   f"service={decision.service or '-'}")
        runbook = runbook or (decision.runbooks[0].id if decision.runbooks else None)
    else:
        summary = "no decision recorded"
    symptom = signal.title or signal.text[:200]
    if signal.service:
        symptom = f"[{signal.service}] {symptom}"
    return Learning(symptom=symptom, decision=summary, fix=fix.strip(), runbook=runbook,
                    links=list(links or []), signal_ids=[signal_id], author=author)


def submit_learning(kb: KnowledgeBase, store: StoredSignals, signal_id: str, **kwargs: Any
                    ) -> Learning:
    """Quarantine a learning for a resolved signal (review promotes it later)."""
    return LearningStore(kb).submit(learning_from_signal(store, signal_id, **kwargs))


def record_feedback(kb: KnowledgeBase, store: StoredSignals, signal_id: str, *, kind: str,
                    overrides: dict[str, Any] | None = None, author: str = "unknown") -> str:
    """Store "this was really an X" as a labeled past case; returns the case id."""
    if kind not in FEEDBACK_KINDS:
        raise FeedbackError(f"--kind must be one of {', '.join(FEEDBACK_KINDS)}")
    signal = store.get_signal(signal_id)
    if signal is None:
        raise FeedbackError(f"no stored signal {signal_id!r}")
    decision = store.get_decision(signal_id)
    labels: dict[str, Any] = {}
    if decision is not None:
        labels = {"kind": decision.kind, "event_type": decision.event_type,
                  "security": decision.security, "priority": decision.priority,
                  "team": decision.team}
    labels.update({k: v for k, v in (overrides or {}).items() if v is not None})
    labels["kind"] = kind
    labels["feedback_by"] = author
    case = {"id": f"feedback/{signal_id}", "text": case_text(signal.title, signal.text),
            "labels": labels, "signal_labels": signal.label_view()}
    kb.add_case_record(case, origin="feedback")
    return case["id"]
