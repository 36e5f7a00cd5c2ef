"""Score one decision against a case's expected labels, field by field (CONTRACTS §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.kernel.taxonomy import PRIORITIES

# Fields scored per decision, in report order.
FIELDS = ("kind", "event_type", "security", "priority", "team", "runbook", "action",
          "suppressed", "duplicate", "verified")


@dataclass
class Scored:
    """One decision (or a failed input, decision None) paired with the labels it is judged by."""

    case_id: str
    tags: list[str]
    expected: dict[str, Any]
    decision: dict[str, Any] | None
    error: str | None = None


@dataclass
class CaseResult:
    """Everything one case produced: scored decisions, timings, tokens and unsafe executions."""

    case_id: str
    index: int
    tags: list[str]
    expected: dict[str, Any]
    decisions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    latency_ms: float = 0.0
    llm_tokens: int = 0
    unsafe_actions: int = 0

    def scored(self) -> list[Scored]:
        """One Scored per decision; a failed or empty input counts once with no decision."""
        if self.error is not None or not self.decisions:
            return [Scored(self.case_id, self.tags, self.expected, None,
                           self.error or "no decision")]
        return [Scored(self.case_id, self.tags, self.expected, d) for d in self.decisions]


def is_request(expected: dict[str, Any]) -> bool:
    """Requests' event_type and priority are not scored (CONTRACTS §1)."""
    return expected.get("kind") == "request"


def scores_field(name: str, expected: dict[str, Any]) -> bool:
    """True when `expected` carries `name` and CONTRACTS says it is scored for this case."""
    if name not in expected:
        return False
    return not (name in {"event_type", "priority"} and is_request(expected))


def predicted(name: str, decision: dict[str, Any] | None) -> Any:
    """The decision's value for a scored field (suppressed/duplicate derived from noise)."""
    if decision is None:
        return None
    noise = decision.get("noise") or {}
    if name == "suppressed":
        return noise.get("suppressed_by") is not None
    if name == "duplicate":
        return noise.get("duplicate_of") is not None
    if name == "runbook":
        return [r.get("id") for r in decision.get("runbooks") or []]
    if name == "action":
        return [a.get("tool") for a in decision.get("actions") or []]
    if name == "verified":  # the first settled follow-up check of the decision's actions
        return next((a["verification"] for a in decision.get("actions") or []
                     if a.get("verification")), None)
    return decision.get(name)


def runbook_hit(expected_id: str, decision: dict[str, Any] | None, k: int) -> bool:
    """True when the expected doc id is among the first k of `decision.runbooks`."""
    return expected_id in (predicted("runbook", decision) or [])[:k]


def action_correct(expected_tool: str | None, decision: dict[str, Any] | None) -> bool:
    """Expected tool among the decision's actions; an expected null means no actions at all."""
    if decision is None:
        return False
    tools = predicted("action", decision) or []
    return not tools if expected_tool is None else expected_tool in tools


def priority_distance(a: str | None, b: str | None) -> int | None:
    """How many priority levels apart two priorities are (None if either is missing/unknown)."""
    if a not in PRIORITIES or b not in PRIORITIES:
        return None
    return abs(PRIORITIES.index(a) - PRIORITIES.index(b))


def field_correct(name: str, expected: dict[str, Any], decision: dict[str, Any] | None) -> bool:
    """Whether the decision gets field `name` right (a missing decision is always wrong)."""
    if decision is None:
        return False
    want = expected[name]
    if name == "runbook":
        return runbook_hit(want, decision, 3)
    if name == "action":
        return action_correct(want, decision)
    return predicted(name, decision) == want


def correctness(expected: dict[str, Any], decision: dict[str, Any] | None) -> dict[str, bool]:
    """Per-field correctness for the fields this case scores (runbook judged as hit@3)."""
    return {name: field_correct(name, expected, decision)
            for name in FIELDS if scores_field(name, expected)}
