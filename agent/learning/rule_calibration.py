"""Calibrated confidence for rule decisions: how often each rule is right on public data.

A rule's fixed confidence (0.45, 0.8, …) is replaced by its smoothed accuracy on the corpus
train and calibration splits, when they hold at least MIN_SUPPORT decisions by the rule (a
histogram-binning / isotonic fit with one bin per rule, the rules' outputs being constants).
Rules the public corpus never exercises keep their fixed confidence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from agent.learning.calibration import ece
from agent.learning.model import WEIGHTS

RULE_CALIBRATION = WEIGHTS.parent / "rule_calibration.json"
MIN_SUPPORT = 30


def fit(decisions: Sequence[tuple[str, bool]]) -> dict[str, dict[str, float]]:
    """Per rule, and per rule|detail: (right + 1) / (n + 2), kept when n ≥ MIN_SUPPORT."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, ok in decisions:
        for k in {key, key.split("|", 1)[0]}:
            tally[k][0] += int(ok)
            tally[k][1] += 1
    return {rule: {"p": round((k + 1) / (n + 2), 4), "n": n}
            for rule, (k, n) in sorted(tally.items()) if n >= MIN_SUPPORT}


def rule_key(rule: str, detail: str = "") -> str:
    """The calibration key of a decision: its rule and the rule's first piece of evidence."""
    return f"{rule}|{detail}" if detail else rule


def apply(table: dict[str, dict[str, float]], key: str, confidence: float) -> float:
    """The calibrated confidence of a rule decision: rule|detail, else rule, else its constant."""
    entry = table.get(key) or table.get(key.split("|", 1)[0])
    return float(entry["p"]) if entry else confidence


def held_out_ece(table: dict[str, dict[str, float]],
                 decisions: Sequence[tuple[str, float, bool]]) -> dict[str, float]:
    """ECE of (rule, raw confidence, right) decisions before and after calibration."""
    raw = ece([c for _, c, _ in decisions], [ok for _, _, ok in decisions])
    cal = ece([apply(table, r, c) for r, c, _ in decisions], [ok for _, _, ok in decisions])
    return {"n": len(decisions), "ece_fixed": round(raw, 4), "ece_calibrated": round(cal, 4)}


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, dict[str, float]]:
    file = Path(path)
    if not file.is_file():
        return {}
    return json.loads(file.read_text(encoding="utf-8")).get("rules", {})


def load(path: Path = RULE_CALIBRATION) -> dict[str, dict[str, float]]:
    """The shipped table ({} when absent); read once per process."""
    return dict(_read(str(path)))
