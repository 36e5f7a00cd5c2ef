"""Impact and urgency by the CONTRACTS §1 conventions (tier, scope, assets, situation)."""

from __future__ import annotations

import re

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import Kind, Level
from agent.reasoning import lexicon as lx

_TIER_IMPACT: dict[int, Level] = {1: "high", 2: "medium", 3: "low"}

# CONTRACTS §1 "Incident urgency": users failing now is high, even for part of the traffic,
# unless the signal shows a workaround (slow but succeeding, retries succeed, redundancy).
FAILING_NOW = re.compile(
    r"\b(?:errors?|error responses?|5\d\d|5xx|fail(?:s|ed|ing|ures?)?|time-?outs?|timing out|"
    r"timed out|declin(?:e|ed|es|ing)|reject(?:ed|s|ing)?|can'?t|cannot|unable to)\b", re.I)
WORKAROUND = re.compile(
    r"\bslow but\b|\bretr(?:y|ies|ying)\b[^.\n]{0,30}\b(?:succeed\w*|work\w*)|work-?around"
    r"|\b(?:still|eventually)\s+(?:works?|working|succeed\w*|load\w*|go(?:es)? through)"
    r"|\bfail(?:ed|s)?[- ]?over\b|\bredundan\w+|\babsorb\w*"
    r"|\b(?:only|just)\s+(?:one|a single)\s+(?:region|zone|az|replica|node|instance)\b"
    r"|\bmeanwhile\b|\bin the meantime\b|\bcan (?:still )?(?:work|use)\b", re.I)


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
        if workaround := WORKAROUND.search(text):
            return "medium", f"degradation with a workaround ({workaround.group(0)!r})"
        if failing := FAILING_NOW.search(text):
            return "high", f"users failing now ({failing.group(0)!r})"
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
