"""Alertmanager label matchers: `name="value"`, `name!="value"`, `name=~"re"`, `name!~"re"`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')


@dataclass(frozen=True)
class Matcher:
    """One parsed matcher; regexes are fully anchored as in Alertmanager."""

    name: str
    op: str
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        """Apply the matcher to a label set (a missing label is the empty string)."""
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found


def parse_matcher(text: str) -> Matcher:
    """Parse one matcher string; raise ValueError naming the text when it is malformed."""
    found = _MATCHER.match(text)
    if not found:
        raise ValueError(f"bad matcher {text!r} (expected name=\"value\", !=, =~ or !~)")
    name, op, value = found.groups()
    if op in {"=~", "!~"}:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression in matcher {text!r}: {exc}") from exc
    return Matcher(name, op, value)


def all_match(matchers: list[Matcher], labels: dict[str, str]) -> bool:
    """True when every matcher holds on the label set."""
    return all(m.matches(labels) for m in matchers)
