"""Compare two report.json files: per-metric deltas, regressions beyond a tolerance, warnings.

Quality metrics regress when they drop by more than `tolerance`; unsafe_actions regresses on
any increase beyond it. Latency and LLM tokens are noisy/cost figures: a relative increase above
`latency_tolerance` only warns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.metrics import LOWER_IS_BETTER, METRIC_NAMES

WARN_ONLY = frozenset({"latency_ms_p50", "latency_ms_p95", "llm_tokens_total"})


@dataclass(frozen=True)
class Delta:
    """One metric's base and new values, their difference and the verdict."""

    metric: str
    base: float | None
    new: float | None
    delta: float | None
    status: str  # ok | improved | regression | warning | n/a


def load_report(path: Path) -> dict[str, Any]:
    """Read a report.json; ValueError naming the file when it is not a report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read report: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ValueError(f"{path}: not a report.json (no metrics object)")
    return data


def _verdict(name: str, base: float, new: float, tolerance: float,
             latency_tolerance: float) -> str:
    if name in WARN_ONLY:
        limit = base * (1 + latency_tolerance) if base > 0 else 0.0
        return "warning" if new > limit and new > base else "ok"
    if name in LOWER_IS_BETTER:
        if new > base + tolerance:
            return "regression"
        return "improved" if new < base else "ok"
    if new < base - tolerance:
        return "regression"
    return "improved" if new > base + tolerance else "ok"


def compare(base: dict[str, Any], new: dict[str, Any], tolerance: float = 0.01,
            latency_tolerance: float = 0.25) -> list[Delta]:
    """Deltas for every metric present in either report, CONTRACTS order first."""
    names = list(METRIC_NAMES) + sorted((set(base["metrics"]) | set(new["metrics"]))
                                        - set(METRIC_NAMES))
    out = []
    for name in names:
        b, n = base["metrics"].get(name), new["metrics"].get(name)
        if b is None or n is None:
            status = "warning" if b is not None and n is None else "n/a"
            out.append(Delta(name, b, n, None, status))
            continue
        out.append(Delta(name, b, n, n - b, _verdict(name, b, n, tolerance, latency_tolerance)))
    return out
