"""The graph state: a narrow input (one parsed signal) inside the full triage state."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.noise.types import NoiseOutcome
from agent.reasoning.types import Judgement
from knowledge.types import CaseHit, DocHit, LabelGuess


@dataclass
class InputState:
    """What a caller hands the graph: one normalized signal."""

    signal: Signal


@dataclass
class TriageState(InputState):
    """Everything the stages add on the way from signal to decision."""

    service_source: str | None = None  # "structured" | "text" | None
    noise: NoiseOutcome | None = None
    runbooks: list[DocHit] = field(default_factory=list)
    postmortems: list[DocHit] = field(default_factory=list)
    cases: list[CaseHit] = field(default_factory=list)
    team_guess: LabelGuess | None = None  # the head re-fitted on the labeled history
    related: list[Decision] = field(default_factory=list)
    judgement: Judgement | None = None
    decision: Decision | None = None
