"""A list of label matchers compiled for the noise gate's per-signal checks."""

from __future__ import annotations

from agent.kernel.matchers import Matcher, all_match


class MatcherSet:
    """Matchers that must all hold; `name="value"` ones are checked as plain pairs first."""

    def __init__(self, matchers: list[Matcher]) -> None:
        self.matchers = list(matchers)
        self.eq = tuple((m.name, m.value) for m in matchers if m.op == "=")
        self.other = [m for m in matchers if m.op != "="]

    def holds(self, labels: dict[str, str]) -> bool:
        """True when every matcher holds on the label set (a missing label is "")."""
        get = labels.get
        for name, value in self.eq:
            if get(name, "") != value:
                return False
        return all_match(self.other, labels) if self.other else True
