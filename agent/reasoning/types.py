"""The reasoner interface: evidence in, a judgement (kind, event type, security, …) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import EventType, Kind, Level
from agent.noise.types import NoiseOutcome
from knowledge.types import CaseHit, DocHit, LabelGuess


@dataclass
class Evidence:
    """Everything a reasoner may look at for one signal; all text in it is untrusted data."""

    signal: Signal
    config: OrgConfig
    noise: NoiseOutcome
    related: list[Decision] = field(default_factory=list)
    runbooks: list[DocHit] = field(default_factory=list)
    postmortems: list[DocHit] = field(default_factory=list)
    cases: list[CaseHit] = field(default_factory=list)
    team_guess: LabelGuess | None = None


@dataclass
class Judgement:
    """A reasoner's classification with its confidence and the rules or evidence behind it."""

    kind: Kind
    event_type: EventType
    security: bool
    impact: Level
    urgency: Level
    confidence: float
    rationale: str
    team: str | None = None
    citations: list[str] = field(default_factory=list)
    reasoner: Literal["offline", "llm"] = "offline"
    llm_tokens: int = 0
    rule: str = ""  # offline: "rule|first evidence" that decided kind/event_type ("" otherwise)
    downgrades_blocked: list[str] = field(default_factory=list)  # the LLM's, by the floor


class Reasoner(Protocol):
    """Anything that turns evidence into a judgement (offline rules, an LLM, …)."""

    name: str

    def judge(self, evidence: Evidence) -> Judgement:
        """Classify one signal; never raises for a well-formed Evidence."""
        ...
