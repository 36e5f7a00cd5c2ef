"""The verdict floor: the model may raise a verdict or add evidence, never lower a supported one.

The offline judgement is the floor whenever structural evidence supports it — an alert (a rule
or threshold fired, a breach) or an incident (confirmed impact, a confirmed violation). The
LLM may raise kind, event type, security or priority; a lower kind, a dropped security flag, a
softer event type or a lower priority on such a signal is blocked (it needs a human) and the
blocked change is recorded in the judgement (`downgrades_blocked`) and its rationale.
"""

from __future__ import annotations

from dataclasses import replace

from agent.kernel.taxonomy import PRIORITIES, priority_for
from agent.reasoning.types import Judgement

KIND_RANK = {"event": 0, "request": 0, "alert": 1, "incident": 2}
EVENT_TYPE_RANK = {"informational": 0, "maintenance": 0, "warning": 1, "exception": 2}
LEVELS = ("low", "medium", "high")


def supported(base: Judgement) -> bool:
    """True when structural evidence backs the offline verdict (an alert or an incident)."""
    return base.kind in ("alert", "incident")


def _higher(a: str, b: str) -> str:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


def apply_floor(base: Judgement, llm: Judgement) -> Judgement:
    """`llm` with every downgrade below a supported offline verdict undone and recorded."""
    if not supported(base):
        return llm
    blocked: list[str] = []
    kind, event_type, security = llm.kind, llm.event_type, llm.security
    impact, urgency = llm.impact, llm.urgency
    if KIND_RANK[llm.kind] < KIND_RANK[base.kind]:
        blocked.append(f"kind {base.kind}->{llm.kind}")
        kind = base.kind
    if EVENT_TYPE_RANK[llm.event_type] < EVENT_TYPE_RANK[base.event_type]:
        blocked.append(f"event_type {base.event_type}->{llm.event_type}")
        event_type = base.event_type
    if base.security and not llm.security:
        blocked.append("security true->false")
        security = True
    want = priority_for(base.impact, base.urgency)
    got = priority_for(llm.impact, llm.urgency)
    if PRIORITIES.index(got) > PRIORITIES.index(want):
        blocked.append(f"priority {want}->{got}")
        impact, urgency = _higher(impact, base.impact), _higher(urgency, base.urgency)
    if not blocked:
        return llm
    note = (f" [verdict floor: the model's downgrade ({'; '.join(blocked)}) was blocked; "
            f"structural evidence supports the offline verdict, lowering it needs a human]")
    return replace(llm, kind=kind, event_type=event_type, security=security, impact=impact,
                   urgency=urgency, rationale=llm.rationale + note,
                   downgrades_blocked=[*llm.downgrades_blocked, *blocked])
