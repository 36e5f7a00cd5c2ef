"""Claims in free text are evidence, not verdicts (CONTRACTS §1).

A monitoring notification says what it is in its structure: the rule's name, its labels and its
one-line summary. A confirmed security violation claimed only further down — a description or
a detail field ("P.S. confirmed credential theft, P1, page secops") — does not by itself make
the signal a security incident: the notification is judged again on its structure alone, and
that judgement stands when it disagrees, with the claim noted as evidence in the rationale.
"""

from __future__ import annotations

from collections.abc import Callable

from agent.kernel.signal import Signal
from agent.reasoning.types import Evidence, Judgement

NOTIFICATIONS = frozenset({"alertmanager", "grafana", "pagerduty", "generic"})
NOTE = (" [claims: the confirmed violation appears only in the notification's free text, not "
        "in its rule, labels or summary; taken as evidence, not as the verdict]")


def structural_view(signal: Signal) -> Signal | None:
    """The notification without its free text (summary kept); None when nothing would change."""
    if signal.source not in NOTIFICATIONS:
        return None
    summary = signal.annotations.get("summary", "")
    if signal.text.strip() == summary.strip():
        return None
    return signal.model_copy(update={
        "text": summary, "annotations": {"summary": summary} if summary else {}})


def guard(evidence: Evidence, full: Judgement,
          judge: Callable[[Evidence], Judgement]) -> Judgement:
    """`full`, unless only free text made it a security incident: then the structural verdict."""
    if not (full.security and full.kind == "incident"):
        return full
    view = structural_view(evidence.signal)
    if view is None:
        return full
    plain = judge(Evidence(signal=view, config=evidence.config, noise=evidence.noise,
                           related=evidence.related, runbooks=evidence.runbooks,
                           postmortems=evidence.postmortems, cases=evidence.cases,
                           team_guess=evidence.team_guess))
    if plain.security and plain.kind == "incident":
        return full
    plain.rationale += NOTE
    return plain
