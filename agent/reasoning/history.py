"""kNN vote over labeled past cases: kind, team and priority as evidence, with citations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from agent.config.org import OrgConfig
from knowledge.types import CaseHit, LabelGuess

MIN_SCORE = 0.5


@dataclass
class Vote:
    """The weighted majority of the nearest past cases for one label."""

    value: str
    share: float
    support: int


def vote(cases: list[CaseHit], label: str, *, min_score: float = MIN_SCORE) -> Vote | None:
    """Score-weighted majority over cases above `min_score` that carry `label`."""
    weights: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        value = case.labels.get(label)
        if case.score >= min_score and value not in (None, ""):
            weights[str(value)] += case.score
            counts[str(value)] += 1
    if not weights:
        return None
    total = sum(weights.values())
    best = max(weights, key=lambda v: (weights[v], counts[v]))
    return Vote(best, weights[best] / total, counts[best])


def close_cases(cases: list[CaseHit], *, min_score: float = MIN_SCORE) -> list[CaseHit]:
    """The past cases close enough to count as evidence."""
    return [c for c in cases if c.score >= min_score]


def known_teams(config: OrgConfig) -> set[str]:
    """Teams the loaded configuration knows: declared, owning a service, routed to, security."""
    teams = set(config.teams) | {r.team for r in config.routes}
    teams |= {e.team for e in config.services.values() if e.team}
    if config.security_team:
        teams.add(config.security_team)
    return teams


def team_vote(cases: list[CaseHit], config: OrgConfig) -> Vote | None:
    """The past cases' team vote, counting only teams that exist in the loaded configuration."""
    teams = known_teams(config)
    return vote([c for c in cases if c.labels.get("team") in teams], "team")



def head_team(guess: LabelGuess | None, config: OrgConfig) -> Vote | None:
    """The history head's most probable team among those the configuration knows."""
    if guess is None:
        return None
    teams = known_teams(config)
    known = {t: p for t, p in guess.probabilities.items() if t in teams}
    if not known:
        return None
    best = max(known, key=lambda t: (known[t], t))
    # not renormalised: mass on teams the configuration dropped is doubt, not evidence
    return Vote(best, known[best], guess.cases)
