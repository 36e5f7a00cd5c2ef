"""Training: fit each head on the corpus (scikit-learn), calibrate on a held-out split, export.

Splits are by group (a mixin, a log template, a detection-rule folder), so no test row shares
a group with a training row; `crosssource.py` adds leave-a-source-out figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.learning.calibration import ece, fit_temperature
from agent.learning.card import render_card
from agent.learning.corpus.records import read_jsonl
from agent.learning.dataset import Matrix, featurize, split_of
from agent.learning.features import dense_width
from agent.learning.judge import TextEmbedder
from agent.learning.model import WEIGHTS, Head, save_heads

log = logging.getLogger(__name__)
VERSION = "1"
EMBED_DIM = 384
C_GRID = (0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class HeadSpec:
    """Which corpus file a head learns from, its classes and its regularisation."""

    name: str
    task: str
    classes: tuple[str, ...]
    c: float = 1.0
    # leave-one-collection-out: per-collection intercepts while fitting, the temperature fitted
    # on out-of-collection predictions, the pooled out-of-collection figures as the evidence
    by_collection: bool = False
    # leave-one-source-out evidence without per-collection intercepts: a source is a repository,
    # or one system of a multi-system repository such as loghub
    loso: bool = False
    # read the text only (embedding and hashed words): the structured columns would tell
    # the corpus's sources apart rather than what the text says
    text_only: bool = False
    # the head is only ever used where the rules find no evidence: its `<name>.fallback` row
    # decides promotion, the model-alone row is for comparison
    fallback_only: bool = False
    # why a head that passes the table is still not allowed to decide (empty: it may decide)
    held_back: str = ""
    # a binary fallback head whose decision threshold and promotion go by balanced accuracy
    # (mean recall per class): its corpus's class ratio is what was available, not what arrives
    balanced: bool = False


HEADS = (
    HeadSpec("severity", "severity", ("informational", "warning", "exception"), 0.01, True),
    HeadSpec("log", "log", ("informational", "warning"), 1.0),
    HeadSpec("security", "security", ("benign", "security"), 1.0),
    # decides only where the severity words find nothing (`notice.fallback`): the words'
    # default there, info-level, is right for 20 % of such rows on unseen sources
    HeadSpec("notice", "notice", ("notice", "condition"), 0.1, loso=True, text_only=True,
             fallback_only=True, balanced=True),
)


def _sklearn() -> Any:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise RuntimeError("training needs scikit-learn: pip install 'triage[train]'") from exc
    return LogisticRegression


def collection_of(source: str) -> str:
    """The rule collection (repository) an example comes from."""
    return source.split(":")[0]


MULTI_SYSTEM = ("logpai/loghub", "zabbix/community-templates")


def source_of(source: str) -> str:
    """The unseen-source unit: the repository, or the system (folder) inside loghub or the
    Zabbix community templates."""
    repo = collection_of(source)
    return ":".join(source.split(":")[:2]) if repo in MULTI_SYSTEM else repo


def unit_for(spec: HeadSpec):  # noqa: ANN201 - a str -> str function
    """How a head's leave-one-out experiment groups examples into unseen sources."""
    return collection_of if spec.by_collection else source_of


def _text_columns(spec: HeadSpec, x: np.ndarray) -> np.ndarray:
    """The feature matrix with the structured columns zeroed for text-only heads."""
    if not spec.text_only:
        return x
    x = x.copy()
    x[:, EMBED_DIM:dense_width(EMBED_DIM)] = 0.0
    return x


def fit_head(spec: HeadSpec, train: Matrix, calib: Matrix | None,
             c: float | None = None) -> Head:
    """Standardise the dense columns, fit a multinomial logistic regression, fit a temperature.

    Without `c`, the regularisation is chosen from C_GRID by accuracy on `calib` (heads fitted
    by collection use their fixed `c`). With `spec.by_collection`, each collection gets its own
    intercept while fitting (collections label severity on different scales) and the shipped
    bias is their average, so the text weights learn what ranks severity within a collection."""
    if c is None and spec.by_collection:
        c = spec.c
    if c is None:
        if calib is None or len(calib.labels) < 20:
            c = spec.c
        else:
            c = max(C_GRID, key=lambda v: (evaluate(fit_head(spec, train, None, v), calib,
                                                     train.labels)["accuracy"], -v))
    y = np.array([spec.classes.index(lbl) for lbl in train.labels])
    dense = dense_width(EMBED_DIM)
    tx = _text_columns(spec, train.x)
    mean = np.zeros(tx.shape[1], dtype=np.float32)
    scale = np.ones(tx.shape[1], dtype=np.float32)
    mean[:dense] = tx[:, :dense].mean(axis=0)
    scale[:dense] = tx[:, :dense].std(axis=0) + 1e-3
    width = tx.shape[1]
    xs = (tx - mean) / scale
    names = sorted({collection_of(s) for s in train.sources}) if spec.by_collection else []
    if len(names) > 1:
        onehot = np.array([[collection_of(s) == n for n in names] for s in train.sources],
                          dtype=np.float32)
        xs = np.hstack([xs, onehot])
    model = _sklearn()(C=c, max_iter=3000)
    model.fit(xs, y)
    coef = np.zeros((model.coef_.shape[1], len(spec.classes)), dtype=np.float32)
    bias = np.zeros(len(spec.classes), dtype=np.float32)
    present = list(model.classes_)
    if len(present) == 2 and model.coef_.shape[0] == 1:  # binary: one row of coefficients
        coef[:, present[1]], bias[present[1]] = model.coef_[0], model.intercept_[0]
    else:
        for row, cls in enumerate(present):
            coef[:, cls], bias[cls] = model.coef_[row], model.intercept_[row]
    weights = coef[:width]
    if spec.text_only:  # structured columns never count, whatever a signal carries there
        weights[EMBED_DIM:dense] = 0.0
    if len(names) > 1:  # an unseen collection: the average collection intercept
        bias = bias + coef[width:].mean(axis=0)
    head = Head(spec.name, spec.classes, mean, scale, weights, bias, 1.0)
    if calib is not None and len(calib.labels) >= 20:
        yc = np.array([spec.classes.index(lbl) for lbl in calib.labels])
        temperature = fit_temperature(head.logits(calib.x), yc)
        head = Head(spec.name, spec.classes, mean, scale, weights, bias, temperature)
    return head


def evaluate(head: Head, m: Matrix, majority_of: list[str]) -> dict[str, float]:
    """Accuracy, macro-F1 (over classes present in the expected labels), ECE, vs majority."""
    if not m.labels:
        return {"n": 0}
    probs = head.proba(m.x)
    pred = [head.classes[i] for i in probs.argmax(axis=1)]
    ok = [p == t for p, t in zip(pred, m.labels, strict=True)]
    conf = probs.max(axis=1)
    majority = Counter(majority_of).most_common(1)[0][0]
    f1s = []
    for cls in sorted(set(m.labels)):
        tp = sum(p == cls == t for p, t in zip(pred, m.labels, strict=True))
        fp = sum(p == cls != t for p, t in zip(pred, m.labels, strict=True))
        fn = sum(t == cls != p for p, t in zip(pred, m.labels, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"n": len(ok), "accuracy": round(float(np.mean(ok)), 4),
            "macro_f1": round(float(np.mean(f1s)), 4),
            "majority_accuracy": round(float(np.mean([t == majority for t in m.labels])), 4),
            "ece": round(ece(conf, ok), 4)}


def promoted(card: dict[str, Any]) -> list[str]:
    """Heads allowed to decide: those that beat both the majority class of their training
    sources and the rules they replace, on sources they never saw (the cross-source table).
    Without that table, none."""
    return sorted(row["head"].removesuffix(".fallback") for row in card.get("cross_source", [])
                  if row.get("promotable", True) and _beats(row))


def _beats(row: dict[str, Any]) -> bool:
    """Model above majority and rules: in balanced accuracy when the row reports it."""
    if "model_balanced_accuracy" in row:
        return row["model_balanced_accuracy"] > max(0.5, row["rules_balanced_accuracy"])
    return row["model_accuracy"] > max(row["majority_accuracy"], row.get("rules_accuracy", 1.0))


def _load_vectors(cache: Path) -> dict[str, np.ndarray]:
    """Embeddings computed by an earlier run (text → vector), so a re-train is quick."""
    path = cache / "embeddings.npz"
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))


def _save_vectors(cache: Path, vectors: dict[str, np.ndarray]) -> None:
    if vectors:
        texts = sorted(vectors)
        np.savez(cache / "embeddings.npz", texts=np.array(texts),
                 vectors=np.stack([vectors[t] for t in texts]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(cache: Path, embedder: TextEmbedder, out: Path = WEIGHTS,
          limit: int | None = None, cross_source: bool = False) -> dict[str, Any]:
    """Fit every head whose corpus file is in `cache`; write weights and the model card.

    `cross_source` also runs the leave-a-source-out experiments into the card."""
    from agent.learning.by_collection import MIN_COLLECTIONS, collections, fit_by_collection
    from agent.learning.crosssource import (
        abstains_for,
        rule_for,
        warning_share_where_rules_abstain,
    )

    vectors = _load_vectors(cache)
    loco_rows: list[dict[str, Any]] = []
    heads: list[Head] = []
    card: dict[str, Any] = {"version": VERSION, "heads": {}}
    for spec in HEADS:
        path = cache / f"{spec.task}.jsonl"
        if not path.is_file():
            continue
        examples = [e for e in read_jsonl(path) if e.label in spec.classes]
        if limit:
            examples = examples[:: max(1, len(examples) // limit)]
        m = featurize(examples, embedder, vectors)
        unit = unit_for(spec)
        if (spec.by_collection or spec.loso) and len(collections(m, unit)) >= MIN_COLLECTIONS:
            head, rows = fit_by_collection(spec, m, rule_for(spec.name), abstains_for(spec.name))
            row = rows[0]
            if not spec.held_back:  # a held-back head is measured, not shipped
                heads.append(head)
            loco_rows.extend(rows)
            card["heads"][spec.name] = {
                "classes": list(spec.classes), "features": int(m.x.shape[1]),
                "temperature": round(head.temperature, 4), "c": spec.c,
                "train": {"n": len(m.labels), "labels": dict(Counter(m.labels))},
                "calibration_split": {"n": len(m.labels), "how": "out-of-collection logits"},
                "test_split": {"n": row["test_n"], "how": "leave-one-collection-out, pooled",
                               "accuracy": row["model_accuracy"],
                               "macro_f1": row["model_macro_f1"], "ece": row["model_ece"],
                               "majority_accuracy": row["majority_accuracy"]},
                "sources": dict(Counter(unit(s) for s in m.sources)),
                "shipped": not spec.held_back}
            log.info("trained head", extra={"head": spec.name, **row})
            continue
        split = np.array([split_of(g) for g in m.groups])
        tr, ca, te = (m.take(split == s) for s in ("train", "calib", "test"))
        head = fit_head(spec, tr, ca)
        heads.append(head)
        card["heads"][spec.name] = {
            "classes": list(spec.classes), "features": int(m.x.shape[1]),
            "temperature": round(head.temperature, 4),
            "train": {"n": len(tr.labels), "labels": dict(Counter(tr.labels))},
            "calibration_split": {"n": len(ca.labels)},
            "test_split": evaluate(head, te, tr.labels),
            "sources": dict(Counter(s.split(":")[0] for s in m.sources))}
        log.info("trained head",
                 extra={"head": spec.name, **card["heads"][spec.name]["test_split"]})
    if cross_source:
        from agent.learning.crosssource import cross_source as table

        card["cross_source"] = loco_rows + table(cache, embedder, vectors)
    else:
        card["cross_source"] = loco_rows
    _save_vectors(cache, vectors)
    summary = cache / "summary.json"
    if summary.is_file():
        card["corpus"] = json.loads(summary.read_text(encoding="utf-8"))
    from agent.learning.rule_fit import fit_rules

    card["rule_calibration"] = fit_rules(cache, out.parent / "rule_calibration.json")["test_split"]
    card["promoted"] = promoted(card)
    meta: dict[str, Any] = {"version": VERSION, "promoted": card["promoted"],
                            "thresholds": {r["head"].removesuffix(".fallback"): r["threshold"]
                                           for r in loco_rows if "threshold" in r}}
    if (share := warning_share_where_rules_abstain(cache)) is not None:
        card["condition_warning_share"] = meta["condition_warning_share"] = share
    save_heads(out, heads, meta)
    card["weights"] = {"file": out.name, "bytes": out.stat().st_size, "sha256": _sha256(out)}
    (out.parent / "model_card.json").write_text(json.dumps(card, indent=2) + "\n",
                                                encoding="utf-8")
    (out.parent / "MODEL_CARD.md").write_text(render_card(card), encoding="utf-8")
    return card
