"""`--fail-under METRIC=VALUE` bounds: parse them and check a run's metrics against them.

For "higher is better" metrics the bound is a minimum; for "lower is better" ones
(unsafe_actions, latency_ms_p50/p95, llm_tokens_total) it is a maximum. A bounded metric that
the run could not compute (null) counts as missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evals.metrics import LOWER_IS_BETTER, METRIC_NAMES


class GateError(ValueError):
    """A malformed bound (unknown metric or non-numeric value)."""


def parse_bounds(items: Iterable[str]) -> dict[str, float]:
    """Parse METRIC=VALUE strings; unknown metric names are an error naming them."""
    bounds: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep:
            raise GateError(f"--fail-under: expected METRIC=VALUE, got {item!r}")
        if name not in METRIC_NAMES:
            raise GateError(f"--fail-under: unknown metric {name!r} "
                            f"(known: {', '.join(METRIC_NAMES)})")
        try:
            bounds[name] = float(raw)
        except ValueError:
            raise GateError(f"--fail-under: {name}: not a number: {raw!r}") from None
    return bounds


def read_gate_file(path: Path) -> list[str]:
    """METRIC=VALUE lines of a gate file (blank lines and # comments skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GateError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines()
            if ln.split("#", 1)[0].strip()]


def check(metrics: dict[str, Any], bounds: dict[str, float]) -> list[str]:
    """One message per missed bound (empty when the run passes)."""
    failures = []
    for name, bound in bounds.items():
        value = metrics.get(name)
        if value is None:
            failures.append(f"{name}: not computed (no case carries it), bound {bound:g}")
        elif name in LOWER_IS_BETTER and value > bound:
            failures.append(f"{name}: {value:g} > max {bound:g}")
        elif name not in LOWER_IS_BETTER and value < bound:
            failures.append(f"{name}: {value:.4f} < min {bound:g}")
    return failures
