"""The deterministic chat answer built from the stored decision, its timeline and the KB hits."""

from __future__ import annotations

import re
from datetime import datetime

from agent.kernel.decision import Decision
from knowledge.types import DocHit

_MATRIX = ("ITIL impact x urgency matrix: high/high P1, high/medium P2, high/low P3, "
           "medium/medium P3, medium/low P4, low/low P5")

_TIMELINE_Q = re.compile(r"(?i)\b(chang\w*|before|after|timeline|when|history|happen\w*|"
                         r"sequence|deploy\w*)\b")
_RUNBOOK_Q = re.compile(r"(?i)\b(runbook\w*|fix\w*|how|resolve|remediat\w*|steps?|do|"
                        r"postmortem\w*|mitigat\w*)\b")


def _when(d: Decision) -> datetime:
    return d.timestamp or d.received_at


def _stamp(d: Decision) -> str:
    return _when(d).isoformat().replace("+00:00", "Z")


def headline(d: Decision) -> str:
    """One line: what the signal was decided to be, and who owns it."""
    sec = " security" if d.security else ""
    return (f"{d.signal_id} ({d.title or d.source}) is a{sec} {d.kind} / {d.event_type}, "
            f"{d.priority} ({d.severity}); service {d.service or 'unknown'}, "
            f"team {d.team or 'unassigned'}; decided by the {d.reasoner} reasoner "
            f"with confidence {d.confidence:.2f}.")


def why(d: Decision) -> list[str]:
    """The rationale and how the priority follows from impact and urgency."""
    lines = [f"Why: {d.rationale or 'no rationale recorded'}",
             f"Priority: impact {d.impact} x urgency {d.urgency} gives {d.priority} ({_MATRIX})."]
    if d.noise.duplicate_of:
        lines.append(f"Noise: duplicate of {d.noise.duplicate_of}.")
    if d.noise.suppressed_by:
        lines.append(f"Noise: suppressed by {d.noise.suppressed_by}.")
    return lines


def timeline(d: Decision, related: list[Decision], limit: int = 10) -> list[str]:
    """Related signals and this one, oldest first, marking those before this signal."""
    events = sorted({r.signal_id: r for r in [*related, d]}.values(), key=_when)
    if len(events) <= 1:
        return ["Timeline: no related signals recorded in this group."]
    lines = ["Timeline (oldest first):"]
    for e in events[-limit:]:
        mark = " <- this signal" if e.signal_id == d.signal_id else (
            " (before)" if _when(e) < _when(d) else "")
        lines.append(f"- {_stamp(e)} {e.signal_id} {e.kind}/{e.event_type} {e.priority} "
                     f"{e.service or ''} {e.title}{mark}".rstrip())
    return lines


def documents(d: Decision, docs: list[DocHit], limit: int = 3) -> list[str]:
    """Top runbooks and postmortems: the retrieved hits first, then those on the decision."""
    seen: dict[str, str] = {}
    for hit in docs:
        seen.setdefault(hit.id, f"- {hit.kind} {hit.id}: {hit.title} (score {hit.score:.2f})")
    for ref in [*d.runbooks, *d.postmortems]:
        seen.setdefault(ref.id, f"- {ref.id}: {ref.title} (score {ref.score:.2f})")
    if not seen:
        return ["Runbooks: none found in the knowledge base."]
    lines = ["Runbooks and postmortems:", *list(seen.values())[:limit]]
    for action in d.actions[:3]:
        lines.append(f"- action {action.tool} {action.args or ''}: {action.status}".rstrip())
    return lines


def template_answer(question: str, d: Decision, related: list[Decision],
                    docs: list[DocHit]) -> str:
    """Answer from the store and KB only, ordering sections by what the question asks."""
    sections = {"why": why(d), "timeline": timeline(d, related), "docs": documents(d, docs)}
    order = ["why", "timeline", "docs"]
    if _TIMELINE_Q.search(question):
        order = ["timeline", "why", "docs"]
    elif _RUNBOOK_Q.search(question) and not question.lower().startswith("why"):
        order = ["docs", "why", "timeline"]
    lines = [headline(d)]
    for key in order:
        lines.extend(sections[key])
    return "\n".join(lines)
