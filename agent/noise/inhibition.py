"""Alertmanager inhibition: a firing source alert mutes matching targets with equal labels."""

from __future__ import annotations

from dataclasses import dataclass

from agent.config.org import InhibitRule
from agent.kernel.matchers import parse_matcher
from agent.noise.matchset import MatcherSet
from agent.noise.state import NoiseState


def _compile(texts: list[str]) -> MatcherSet:
    return MatcherSet([parse_matcher(t) for t in texts])


@dataclass
class _Rule:
    index: int
    source: MatcherSet
    target: MatcherSet
    equal: list[str]

    def eqkey(self, labels: dict[str, str]) -> str:
        return "\x1f".join([labels.get(n, "") for n in self.equal])


class Inhibitor:
    """Keeps the firing source alerts of every rule and answers whether a target is inhibited.

    As in Alertmanager, a signal never inhibits itself, labels missing on both sides compare
    equal, and a target that also matches the source side is only inhibited by sources that
    do not match the target side. Inhibition is evaluated when the target is processed: any
    matching source firing at that moment inhibits it, whichever started first (CONTRACTS §1).
    """

    def __init__(self, state: NoiseState, rules: list[InhibitRule]) -> None:
        self.state = state
        self.rules = [_Rule(i, _compile(r.source_matchers), _compile(r.target_matchers),
                            list(r.equal)) for i, r in enumerate(rules)]

    def inhibited_by(self, labels: dict[str, str], fingerprint: str, when: float) -> str | None:
        """The alertname (or fingerprint) of a firing source that inhibits this signal, or None.

        `when` (the target's time) is not a bound: a source that started later still inhibits.
        """
        for rule in self.rules:
            if not rule.target.holds(labels):
                continue
            two_sided = rule.source.holds(labels)
            best = None
            for fp, (both, name, since) in self.state.inhibit_sources(
                    rule.index, rule.eqkey(labels)).items():
                if fp == fingerprint or (two_sided and both):
                    continue
                if best is None or (since, fp) < best[:2]:
                    best = (since, fp, name)
            if best:
                return best[2]
        return None

    def track(self, labels: dict[str, str], fingerprint: str, name: str, firing: bool,
              since: float) -> None:
        """Record a firing alert as a source of every rule it matches; a resolve clears it."""
        for rule in self.rules:
            if rule.source.holds(labels):
                entry = (int(rule.target.holds(labels)), name, since) if firing else None
                self.state.set_inhibit_source(rule.index, rule.eqkey(labels), fingerprint, entry)
