"""Leave-one-collection-out fitting for heads whose labels follow each collection's own scale.

Every collection (repository) is predicted by a head fitted on the others; those
out-of-collection predictions give the temperature (so the shipped confidence is calibrated
for an organisation the head never saw) and the pooled cross-source figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from agent.kernel.signal import Signal
from agent.learning.calibration import ece, fit_temperature
from agent.learning.dataset import Matrix
from agent.learning.model import Head

MIN_COLLECTIONS = 3


def collections(m: Matrix, unit: Callable[[str], str] | None = None) -> list[str]:
    """The collections (or other unseen-source units) present, in a stable order."""
    from agent.learning.train import collection_of

    unit = unit or collection_of
    return sorted({unit(s) for s in m.sources})


def _macro_f1(pred: list[str], truth: list[str]) -> float:
    f1s = []
    for cls in sorted(set(truth)):
        tp = sum(p == cls == t for p, t in zip(pred, truth, strict=True))
        fp = sum(p == cls != t for p, t in zip(pred, truth, strict=True))
        fn = sum(t == cls != p for p, t in zip(pred, truth, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def fit_by_collection(spec: Any, m: Matrix, rule: Callable[[Signal], str] | None = None,
                      abstains: Callable[[Signal], bool] | None = None
                      ) -> tuple[Head, list[dict[str, Any]]]:
    """The head fitted on every collection with an out-of-collection temperature, and the
    pooled leave-one-collection-out rows: model vs majority vs the previous rules, and (with
    `abstains`) the rules with the model deciding only where the rules find no evidence."""
    from agent.learning.train import fit_head, unit_for

    unit = unit_for(spec)
    names = collections(m, unit)
    coll = np.array([unit(s) for s in m.sources])
    y = np.array([spec.classes.index(lbl) for lbl in m.labels])
    oof = np.zeros((len(y), len(spec.classes)), dtype=np.float64)
    train_majority = np.zeros(len(y), dtype=bool)
    test_majority = np.zeros(len(y), dtype=bool)
    for name in names:
        held = coll == name
        head = fit_head(spec, m.take(~held), None)
        oof[held] = head.logits(m.x[held])
        rest = Counter(lbl for lbl, h in zip(m.labels, held, strict=True) if not h)
        own = Counter(lbl for lbl, h in zip(m.labels, held, strict=True) if h)
        labels = np.array(m.labels)
        train_majority[held] = labels[held] == rest.most_common(1)[0][0]
        test_majority[held] = labels[held] == own.most_common(1)[0][0]
    temperature = fit_temperature(oof, y)
    z = oof / temperature
    z -= z.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    pred = [spec.classes[i] for i in probs.argmax(axis=1)]
    ok = [p == t for p, t in zip(pred, m.labels, strict=True)]
    per = {n: round(float(np.mean([o for o, c in zip(ok, coll, strict=True) if c == n])), 4)
           for n in names}
    row: dict[str, Any] = {
        "head": spec.name,
        "note": (f"leave-one-collection-out over {len(names)} rule collections, pooled "
                 "(each collection predicted by a head fitted on the others)"
                 if spec.by_collection else
                 f"leave-one-source-out over {len(names)} sources, pooled (each source "
                 "predicted by a head fitted on the others)"),
        "train_n": len(y), "test_n": len(y), "test_labels": dict(Counter(m.labels)),
        "model_accuracy": round(float(np.mean(ok)), 4),
        "model_macro_f1": round(_macro_f1(pred, m.labels), 4),
        "model_ece": round(ece(probs.max(axis=1), ok), 4),
        "majority_accuracy": round(float(train_majority.mean()), 4),
        "test_majority_accuracy": round(float(test_majority.mean()), 4),
        "per_collection_accuracy": per,
    }
    if getattr(spec, "fallback_only", False):
        row["promotable"] = False  # only ever used where the rules abstain: see the fallback row
    held_back = getattr(spec, "held_back", "")
    said = [rule(s) for s in m.signals] if rule is not None else []  # the rules' answers, once
    if rule is not None:
        row["rules_accuracy"] = round(float(np.mean(
            [r == t for r, t in zip(said, m.labels, strict=True)])), 4)
    rows = [row]
    if rule is not None and abstains is not None:
        gap = np.array([abstains(s) for s in m.signals])
        threshold = None
        if getattr(spec, "balanced", False) and len(spec.classes) == 2:
            threshold = _balanced_threshold(said, gap, probs[:, 1], spec.classes, m.labels)
            pred = [spec.classes[int(p >= threshold)] for p in probs[:, 1]]
        conf = probs[np.arange(len(pred)), [spec.classes.index(p) for p in pred]]
        fallback = _fallback_row(spec.name, m, said, gap, pred, conf, row, unit,
                                 getattr(spec, "fallback_only", False) and not held_back)
        if threshold is not None:
            fallback.update(threshold=threshold,
                            model_balanced_accuracy=round(
                                _balanced(_hybrid(said, gap, pred), m.labels), 4),
                            rules_balanced_accuracy=round(_balanced(said, m.labels), 4))
            fallback["note"] += (f"; decides the second class at P ≥ {threshold} (best balanced "
                                 "accuracy on these out-of-source predictions)")
        rows.append(fallback)
    if held_back:
        for r in rows:
            r["promotable"], r["held_back"] = False, held_back
    final = replace(fit_head(spec, m, None), temperature=float(temperature))
    return final, rows


THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.5 … 0.95


def _balanced(pred: list[str], truth: list[str]) -> float:
    """Mean recall over the classes present in truth (prior-free accuracy)."""
    recalls = [np.mean([p == c for p, t in zip(pred, truth, strict=True) if t == c])
               for c in sorted(set(truth))]
    return float(np.mean(recalls))


def _hybrid(said: list[str], gap: np.ndarray, pred: list[str]) -> list[str]:
    """The rules' answers, with the model's where the rules abstain (`gap`)."""
    return [p if g else r for p, g, r in zip(pred, gap, said, strict=True)]


def _balanced_threshold(said: list[str], gap: np.ndarray, p_second: np.ndarray,
                        classes: tuple[str, ...], truth: list[str]) -> float:
    """The threshold on P(second class) whose rules-plus-head decisions have the best
    balanced accuracy on the out-of-source predictions (ties: the lower threshold)."""
    def score(t: float) -> float:
        return _balanced(_hybrid(said, gap, [classes[int(p >= t)] for p in p_second]), truth)

    return max(THRESHOLDS, key=lambda t: (round(score(t), 6), -t))


def _fallback_row(name: str, m: Matrix, said: list[str], gap: np.ndarray, pred: list[str],
                  conf: np.ndarray, row: dict[str, Any], unit: Callable[[str], str],
                  promotable: bool) -> dict[str, Any]:
    """The rules, with the out-of-source model deciding where the rules abstain."""
    hybrid = _hybrid(said, gap, pred)
    ok = np.array([h == t for h, t in zip(hybrid, m.labels, strict=True)])
    model_ok = np.array([p == t for p, t in zip(pred, m.labels, strict=True)])
    coll = [unit(s) for s in m.sources]
    per = {n: round(float(ok[[c == n for c in coll]].mean()), 4) for n in sorted(set(coll))}
    return {**{k: row[k] for k in ("train_n", "test_n", "test_labels", "majority_accuracy",
                                    "test_majority_accuracy", "rules_accuracy")},
            "head": f"{name}.fallback",
            "note": f"the rules, with the {name} model deciding the {int(gap.sum())} rows where "
                    "the rules find no evidence (out-of-source predictions, pooled)",
            "model_accuracy": round(float(ok.mean()), 4),
            "model_macro_f1": round(_macro_f1(hybrid, m.labels), 4),
            "model_ece": round(ece(conf[gap], model_ok[gap]), 4) if gap.any() else 0.0,
            "fallback_n": int(gap.sum()),
            # the severity head's fallback is evidence only: it calls almost every such row a
            # condition, a config reload too; the notice head exists to make this one call
            "promotable": promotable,
            "fallback_model_accuracy": round(float(model_ok[gap].mean()), 4) if gap.any() else 0.0,
            "per_collection_accuracy": per}

