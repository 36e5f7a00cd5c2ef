"""Impact and urgency by the CONTRACTS §1 conventions (tier, scope, assets, situation)."""

from __future__ import annotations

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import Kind, Level
from agent.reasoning import lexicon as lx

_TIER_IMPACT: dict[int, Level] = {1: "high", 2: "medium", 3: "low"}


def impact_of(signal: Signal, config: OrgConfig, *, security: bool, text: str) -> tuple[Level, str]:
    """Business impact: the service tier, narrowed to low for one user, device or account."""
    entry = config.services.get(signal.service or "")
    if security:
        if lx.SINGLE_SCOPE.search(text) and not lx.HIGH_VALUE_ASSET.search(text):
            return "medium", "one employee's account or device"
        if lx.HIGH_VALUE_ASSET.search(text) or (entry and entry.tier == 1):
            return "high", "production system, cloud credentials or customer data"
        return "medium", "security signal on an ordinary asset"
    if lx.SINGLE_SCOPE.search(text) and not lx.BROAD_SCOPE.search(text):
        return "low", "a single user, device or account"
    if entry is not None:
        return _TIER_IMPACT[entry.tier], f"tier {entry.tier} service {signal.service}"
    return "medium", "no catalog service; assumed medium"


def urgency_of(kind: Kind, event_type: str, *, text: str, security: bool,
               confirmed: bool, reported_by_people: bool = False) -> tuple[Level, str]:
    """How fast it gets worse: hard failure now is high, degradation medium, slow burns low."""
    if kind == "request":
        return "low", "service request"
    if event_type == "maintenance":
        return "low", "planned work"
    if security and confirmed:
        if lx.CONTAINED.search(text):
            return "medium", "compromise contained"
        return "high", "uncontained compromise"
    hard = lx.HARD_FAILURE.search(text)
    if kind == "incident":
        if hard:
            return "high", f"hard failure now ({hard.group(0)!r})"
        if lx.NOT_URGENT.search(text):
            return "low", "explicitly not urgent, no hard failure"
        if lx.DEGRADATION.search(text):
            return "medium", "degradation"
        failing = lx.PROBLEM.search(text) or lx.CANT.search(text)
        if reported_by_people and failing:
            return "high", f"people report it failing now ({failing.group(0)!r})"
        return "medium", "degradation"
    if kind == "event":
        return "low", "event"
    if hard and event_type == "exception":
        return "high", f"hard failure now ({hard.group(0)!r})"
    if lx.NOT_URGENT.search(text) or lx.SLOW_BURN.search(text) or event_type == "warning":
        return "low", "soft threshold or slow burn"
    return "medium", "critical condition without confirmed impact"
