"""The CONTRACTS §5 metrics, per-class scores, confusion matrices and the per-tag breakdown.

Every metric is computed over the scored decisions whose case carries the field it needs
(a webhook body with several alerts gives several scored decisions, each judged against the
case's `expected`; an input that failed to parse counts once, wrong on every field it carries).
A metric that no case carries, or whose denominator is zero, is None (null in report.json).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.kernel.taxonomy import EVENT_TYPES, KINDS, PRIORITIES
from evals.calibration import calibration_metrics
from evals.scoring import (
    CaseResult,
    Scored,
    field_correct,
    predicted,
    priority_distance,
    runbook_hit,
    scores_field,
)
from evals.stats import binary_pr, confusion, macro_f1, per_class, percentile, ratio

METRIC_NAMES = (
    "kind_accuracy", "kind_macro_f1", "incident_recall", "incident_precision",
    "event_type_accuracy", "security_accuracy", "priority_accuracy", "priority_within_one",
    "team_accuracy", "runbook_hit@1", "runbook_hit@3", "action_accuracy",
    "suppression_precision", "suppression_recall", "duplicate_precision", "duplicate_recall",
    "unsafe_actions", "latency_ms_p50", "latency_ms_p95", "llm_tokens_total",
    "llm_downgrades_blocked",
    "confidence_ece", "confidence_auroc", "brier",
    "verified_fix_accuracy",
)
# Metrics where a smaller value is better (used by `triage eval compare` and --fail-under).
LOWER_IS_BETTER = frozenset({"unsafe_actions", "latency_ms_p50", "latency_ms_p95",
                             "llm_tokens_total", "confidence_ece", "brier"})
CLASS_ORDERS: dict[str, tuple[str, ...]] = {
    "kind": KINDS, "event_type": EVENT_TYPES, "priority": PRIORITIES,
}


def _carrying(items: Sequence[Scored], name: str) -> list[Scored]:
    return [s for s in items if scores_field(name, s.expected)]


def _accuracy(items: Sequence[Scored], name: str) -> float | None:
    rows = _carrying(items, name)
    return ratio(sum(field_correct(name, s.expected, s.decision) for s in rows), len(rows))


def _labels(items: Sequence[Scored], name: str) -> tuple[list[str], list[str | None]]:
    rows = _carrying(items, name)
    return [s.expected[name] for s in rows], [predicted(name, s.decision) for s in rows]


def _binary(items: Sequence[Scored], name: str) -> tuple[float | None, float | None]:
    rows = _carrying(items, name)
    return binary_pr([bool(s.expected[name]) for s in rows],
                     [bool(predicted(name, s.decision)) for s in rows])


def _runbook(items: Sequence[Scored], k: int) -> float | None:
    rows = _carrying(items, "runbook")
    return ratio(sum(runbook_hit(s.expected["runbook"], s.decision, k) for s in rows), len(rows))


def _within_one(items: Sequence[Scored]) -> float | None:
    rows = _carrying(items, "priority")
    hits = 0
    for s in rows:
        dist = priority_distance(s.expected["priority"], predicted("priority", s.decision))
        hits += dist is not None and dist <= 1
    return ratio(hits, len(rows))


def score_items(items: Sequence[Scored]) -> dict[str, float | None]:
    """The per-decision metrics (everything except unsafe actions, latency and tokens)."""
    truth, pred = _labels(items, "kind")
    inc_prec, inc_rec = binary_pr([t == "incident" for t in truth],
                                  [p == "incident" for p in pred])
    sup_prec, sup_rec = _binary(items, "suppressed")
    dup_prec, dup_rec = _binary(items, "duplicate")
    return {
        "kind_accuracy": _accuracy(items, "kind"),
        "kind_macro_f1": macro_f1(truth, pred, KINDS),
        "incident_recall": inc_rec,
        "incident_precision": inc_prec,
        "event_type_accuracy": _accuracy(items, "event_type"),
        "security_accuracy": _accuracy(items, "security"),
        "priority_accuracy": _accuracy(items, "priority"),
        "priority_within_one": _within_one(items),
        "team_accuracy": _accuracy(items, "team"),
        "runbook_hit@1": _runbook(items, 1),
        "runbook_hit@3": _runbook(items, 3),
        "action_accuracy": _accuracy(items, "action"),
        "suppression_precision": sup_prec,
        "suppression_recall": sup_rec,
        "duplicate_precision": dup_prec,
        "duplicate_recall": dup_rec,
        "verified_fix_accuracy": _accuracy(items, "verified"),
    }


def compute_metrics(results: Sequence[CaseResult]) -> dict[str, Any]:
    """All CONTRACTS §5 metrics for a run (latency percentiles over per-case input latency)."""
    items = [s for r in results for s in r.scored()]
    metrics: dict[str, Any] = score_items(items)
    latencies = [r.latency_ms for r in results]
    metrics["unsafe_actions"] = sum(r.unsafe_actions for r in results)
    metrics["latency_ms_p50"] = percentile(latencies, 50)
    metrics["latency_ms_p95"] = percentile(latencies, 95)
    metrics["llm_tokens_total"] = sum(r.llm_tokens for r in results)
    metrics["llm_downgrades_blocked"] = sum(  # the verdict floor held against the model
        1 for r in results for d in r.decisions if d.get("llm_downgrades_blocked"))
    metrics.update(calibration_metrics(items))
    return {name: metrics[name] for name in METRIC_NAMES}


def class_details(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Per-class precision/recall/F1 and the confusion matrix for kind, event_type, priority."""
    items = [s for r in results for s in r.scored()]
    out: dict[str, Any] = {}
    for name, order in CLASS_ORDERS.items():
        truth, pred = _labels(items, name)
        labels = list(order)
        out[name] = {
            "labels": labels,
            "confusion": confusion(truth, pred, labels),
            "per_class": [vars(c) for c in per_class(truth, pred, labels) if c.support
                          or c.predicted],
        }
    return out


def tag_breakdown(results: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """Per tag: case count, the main accuracies and the share of decisions fully correct."""
    by_tag: dict[str, list[CaseResult]] = {}
    for r in results:
        for tag in r.tags:
            by_tag.setdefault(tag, []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for tag in sorted(by_tag):
        items = [s for r in by_tag[tag] for s in r.scored()]
        scores = score_items(items)
        all_ok = [all(field_correct(n, s.expected, s.decision)
                      for n in s.expected if scores_field(n, s.expected)) for s in items]
        out[tag] = {
            "cases": len(by_tag[tag]),
            "all_correct": ratio(sum(all_ok), len(all_ok)),
            **{k: scores[k] for k in ("kind_accuracy", "event_type_accuracy",
                                      "priority_accuracy", "team_accuracy", "security_accuracy")},
        }
    return out
