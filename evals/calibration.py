"""How honest `decision.confidence` is: ECE, AUROC, Brier, buckets and the `auto` LLM band.

A decision counts as right when every classification field its case carries (kind, event_type,
security) is right; cases that carry none of them are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.learning.calibration import auroc, brier, ece, reliability
from evals.scoring import Scored, field_correct, scores_field

JUDGED = ("kind", "event_type", "security")
DEFAULT_THRESHOLD = 0.7  # LlmSection.confidence_threshold's default


def _pairs(items: Sequence[Scored]) -> list[tuple[float, bool, str]]:
    out = []
    for s in items:
        fields = [n for n in JUDGED if scores_field(n, s.expected)]
        if not fields:
            continue
        decision = s.decision or {}
        conf = float(decision.get("confidence") or 0.0)
        ok = s.decision is not None and all(field_correct(n, s.expected, s.decision)
                                            for n in fields)
        out.append((conf, ok, str(decision.get("reasoner") or "offline")))
    return out


def _share(rows: list[tuple[float, bool, str]]) -> float | None:
    return round(sum(ok for _, ok, _ in rows) / len(rows), 4) if rows else None


def calibration_metrics(items: Sequence[Scored]) -> dict[str, float | None]:
    """confidence_ece, confidence_auroc and brier over the judged decisions (None if none)."""
    pairs = _pairs(items)
    if not pairs:
        return {"confidence_ece": None, "confidence_auroc": None, "brier": None}
    conf = [c for c, _, _ in pairs]
    ok = [o for _, o, _ in pairs]
    score = auroc(conf, ok)
    return {"confidence_ece": round(ece(conf, ok), 4),
            "confidence_auroc": None if score is None else round(score, 4),
            "brier": round(brier(conf, ok), 4)}


def calibration_detail(items: Sequence[Scored],
                       threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Accuracy per confidence bucket, and the band `auto` would send to the LLM."""
    pairs = _pairs(items)
    below = [p for p in pairs if p[0] < threshold]
    above = [p for p in pairs if p[0] >= threshold]
    return {
        "judged_decisions": len(pairs),
        "buckets": reliability([c for c, _, _ in pairs], [o for _, o, _ in pairs]),
        "auto_band": {"threshold": threshold,
                      "uncertain": len(below), "uncertain_accuracy": _share(below),
                      "confident": len(above), "confident_accuracy": _share(above),
                      "decided_by_llm": sum(1 for p in pairs if p[2] == "llm")},
    }
