"""Cross-source evidence: train a head on some sources, test it on a source it never saw.

Compared with the majority class of the test source and with the previous rule-based
reasoner (the word-list fallbacks that still run when no model is shipped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.kernel.signal import Signal
from agent.learning.corpus.records import read_jsonl
from agent.learning.dataset import Matrix, featurize, split_of
from agent.learning.judge import TextEmbedder
from agent.learning.train import HEADS, evaluate, fit_head


def _rule_severity(sig: Signal) -> str:
    from agent.reasoning.signal_rules import inferred_severity, text_of

    return inferred_severity(text_of(sig))[0]


def _rule_log(sig: Signal) -> str:
    from agent.reasoning.signal_rules import log_finding

    return log_finding(sig, [], False, None).event_type


def _rule_security(sig: Signal) -> str:
    from agent.reasoning.signal_rules import is_security

    return "security" if is_security(sig, None) else "benign"


def _rule_notice(sig: Signal) -> str:
    from agent.reasoning.signal_rules import inferred_severity, text_of

    return "notice" if inferred_severity(text_of(sig))[0] == "informational" else "condition"


@dataclass(frozen=True)
class Split:
    """One cross-source experiment: which sources train, which unseen source tests."""

    head: str
    test_sources: tuple[str, ...]  # prefixes of Example.source
    rule: Callable[[Signal], str]
    note: str


RULES: dict[str, Callable[[Signal], str]] = {"severity": _rule_severity, "log": _rule_log,
                                             "security": _rule_security, "notice": _rule_notice}


def rule_for(head: str) -> Callable[[Signal], str] | None:
    """The previous rule-based decision a head is compared with."""
    return RULES.get(head)


def _severity_abstains(sig: Signal) -> bool:
    from agent.reasoning.signal_rules import NO_WORDING, inferred_severity, text_of

    return inferred_severity(text_of(sig))[2] == NO_WORDING


def abstains_for(head: str) -> Callable[[Signal], bool] | None:
    """Where the rules a head is compared with find no evidence (the head's fallback use)."""
    return {"severity": _severity_abstains, "notice": _severity_abstains}.get(head)


# severity: leave-one-collection-out rows come from `by_collection` (every training run)
SPLITS = (
    Split("log", ("logpai/loghub:Linux", "logpai/loghub:OpenSSH", "logpai/loghub:Thunderbird",
                  "logpai/loghub:HPC"), _rule_log,
          "4 loghub systems held out; trained on the other 11"),
    Split("security", ("logpai/loghub:Linux", "logpai/loghub:OpenSSH",
                       "logpai/loghub:Thunderbird"), _rule_security,
          "syslog/sshd systems held out; trained on Elastic rules, mixins, other loghub"),
)


def _rule_accuracy(rule: Callable[[Signal], str], m: Matrix) -> float:
    return round(float(np.mean([rule(s) == t for s, t in zip(m.signals, m.labels,
                                                             strict=True)])), 4)


def cross_source(cache: Path, embedder: TextEmbedder,
                 vectors: dict[str, np.ndarray] | None = None) -> list[dict[str, Any]]:
    """One row per split: sizes, model vs majority vs previous rules on the unseen source."""
    specs = {h.name: h for h in HEADS}
    rows = []
    for split in SPLITS:
        spec = specs[split.head]
        path = cache / f"{spec.task}.jsonl"
        if not path.is_file():
            continue
        examples = [e for e in read_jsonl(path) if e.label in spec.classes]
        m = featurize(examples, embedder, vectors)
        unseen = np.array([s.startswith(split.test_sources) for s in m.sources])
        seen = m.take(~unseen)
        part = np.array([split_of(g) for g in seen.groups])
        head = fit_head(spec, seen.take(part != "calib"), seen.take(part == "calib"))
        test = m.take(unseen)
        scores = evaluate(head, test, seen.labels)
        rows.append({"head": split.head, "note": split.note,
                     "train_n": int((~unseen).sum()), "test_n": int(unseen.sum()),
                     "test_labels": dict(Counter(test.labels)),
                     "model_accuracy": scores["accuracy"], "model_macro_f1": scores["macro_f1"],
                     "model_ece": scores["ece"], "majority_accuracy": scores["majority_accuracy"],
                     "test_majority_accuracy": evaluate(head, test, test.labels)[
                         "majority_accuracy"],
                     "rules_accuracy": _rule_accuracy(split.rule, test)})
    return rows


def warning_share_where_rules_abstain(cache: Path) -> float | None:
    """Of the rule-corpus problems the severity words find nothing in, the share labelled
    warning (the rest critical): how often a condition the notice head finds is a warning."""
    path = cache / "severity.jsonl"
    if not path.is_file():
        return None
    from agent.learning.dataset import to_signal

    tally: Counter[str] = Counter()
    for ex in read_jsonl(path):
        sig = to_signal(ex)
        if sig is not None and ex.label != "informational" and _severity_abstains(sig):
            tally[ex.label] += 1
    total = tally["warning"] + tally["exception"]
    return round(tally["warning"] / total, 4) if total else None
