"""Alertmanager inhibition: a firing source alert mutes matching targets with equal labels."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from agent.config.matchers import Matcher, all_match, parse_matcher
from agent.config.org import InhibitRule


@dataclass
class _Rule:
    index: int
    source: list[Matcher]
    target: list[Matcher]
    equal: list[str]

    def eqkey(self, labels: dict[str, str]) -> str:
        return "\x1f".join(labels.get(n, "") for n in self.equal)


class Inhibitor:
    """Keeps the firing source alerts of every rule and answers whether a target is inhibited.

    As in Alertmanager, a signal never inhibits itself, labels missing on both sides compare
    equal, and a target that also matches the source side is only inhibited by sources that
    do not match the target side.
    """

    def __init__(self, conn: sqlite3.Connection, rules: list[InhibitRule]) -> None:
        self.conn = conn
        self.rules = [_Rule(i, [parse_matcher(t) for t in r.source_matchers],
                            [parse_matcher(t) for t in r.target_matchers], list(r.equal))
                      for i, r in enumerate(rules)]

    def inhibited_by(self, labels: dict[str, str], fingerprint: str, when: float) -> str | None:
        """The alertname (or fingerprint) of a firing source that inhibits this signal, or None."""
        for rule in self.rules:
            if not all_match(rule.target, labels):
                continue
            sql = ("SELECT name FROM noise_inhibit_src WHERE rule = ? AND eqkey = ? "
                   "AND fingerprint != ? AND since <= ?")
            if all_match(rule.source, labels):
                sql += " AND both_sides = 0"
            row = self.conn.execute(sql + " ORDER BY since, fingerprint LIMIT 1",
                                    (rule.index, rule.eqkey(labels), fingerprint, when)).fetchone()
            if row:
                return str(row[0])
        return None

    def track(self, labels: dict[str, str], fingerprint: str, name: str, firing: bool,
              since: float) -> None:
        """Record a firing alert as a source of every rule it matches; a resolve clears it."""
        self.conn.execute("DELETE FROM noise_inhibit_src WHERE fingerprint = ?", (fingerprint,))
        if not firing:
            return
        for rule in self.rules:
            if all_match(rule.source, labels):
                self.conn.execute(
                    "INSERT OR REPLACE INTO noise_inhibit_src VALUES (?,?,?,?,?,?)",
                    (rule.index, rule.eqkey(labels), fingerprint,
                     int(all_match(rule.target, labels)), name, since))
