"""Fit the rule calibration table: run the rules-only reasoner over the public corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.learning.corpus.records import Example, read_jsonl
from agent.learning.dataset import split_of, to_signal
from agent.learning.rule_calibration import RULE_CALIBRATION, fit, held_out_ece

TASKS = ("severity", "log")  # tasks whose label is the decision's event_type


def _right(task: str, label: str, kind: str, event_type: str) -> bool:
    if task == "log":
        return kind == "event" and event_type == label
    return event_type == label and kind == ("event" if label == "informational" else "alert")


def rule_decisions(examples: list[Example]) -> list[tuple[str, str, float, bool]]:
    """(split, rule, fixed confidence, right) for every parsable example, rules only."""
    from agent.config.org import OrgConfig
    from agent.noise.types import NoiseOutcome
    from agent.reasoning.offline import OfflineReasoner
    from agent.reasoning.types import Evidence

    reasoner = OfflineReasoner(None, rule_table={})
    config = OrgConfig()
    out = []
    for ex in examples:
        sig = to_signal(ex)
        if sig is None:
            continue
        j = reasoner.judge(Evidence(signal=sig, config=config, noise=NoiseOutcome(group_id="g")))
        out.append((split_of(ex.group), j.rule, j.confidence,
                    _right(ex.task, ex.label, j.kind, j.event_type)))
    return out


def fit_rules(cache: Path, out: Path = RULE_CALIBRATION) -> dict[str, Any]:
    """Fit on the train and calibration splits, report test-split ECE before/after, write JSON."""
    decisions = []
    for task in TASKS:
        path = cache / f"{task}.jsonl"
        if path.is_file():
            decisions += rule_decisions(list(read_jsonl(path)))
    # the rules have no fitted parameters: every split but the test one calibrates them
    table = fit([(rule, ok) for split, rule, _, ok in decisions if split != "test"])
    test = [(rule, conf, ok) for split, rule, conf, ok in decisions if split == "test"]
    doc = {"fitted_on": "corpus train and calibration splits (severity, log tasks)",
           "min_support": 30, "rules": table, "test_split": held_out_ece(table, test)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return doc
