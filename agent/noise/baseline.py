"""Dynamic thresholds: a per-series EWMA baseline with a seasonal (hour-of-day) profile."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from agent.noise.state import NoiseState

BUCKETS = 24  # hour-of-day profile
_encode = json.JSONEncoder(separators=(",", ":")).encode


@dataclass
class Ewma:
    """Exponentially weighted mean and variance with a sample count."""

    n: int = 0
    mean: float = 0.0
    var: float = 0.0

    def update(self, x: float, alpha: float) -> None:
        """Fold in one sample (West's incremental EWMA variance); plain mean while warming up."""
        self.n += 1
        weight = max(alpha, 1.0 / self.n)
        diff = x - self.mean
        incr = weight * diff
        self.mean += incr
        self.var = (1 - weight) * (self.var + diff * incr)

    def sigma(self) -> float:
        """Standard deviation with a floor so a flat series does not divide by zero."""
        return max(math.sqrt(max(self.var, 0.0)), 0.01 * abs(self.mean), 1e-6)


@dataclass
class Baseline:
    """The overall EWMA of one series plus one EWMA per hour of day (made when first used)."""

    overall: Ewma = field(default_factory=Ewma)
    hours: dict[int, Ewma] = field(default_factory=dict)

    def hour(self, index: int) -> Ewma:
        """The EWMA of one hour-of-day bucket (empty until a sample falls in it)."""
        cell = self.hours.get(index)
        if cell is None:
            cell = self.hours[index] = Ewma()
        return cell

    def dumps(self) -> str:
        """Compact JSON for the baselines table: the overall cell, then the used hours."""
        o = self.overall
        return _encode([[o.n, o.mean, o.var],
                        *([h, c.n, c.mean, c.var] for h, c in sorted(self.hours.items()))])

    @classmethod
    def loads(cls, text: str) -> Baseline:
        """Inverse of dumps."""
        first, *rest = json.loads(text)
        return cls(Ewma(int(first[0]), first[1], first[2]),
                   {int(h): Ewma(int(n), m, v) for h, n, m, v in rest})


@dataclass
class Knobs:
    """Config knobs of the dynamic threshold."""

    sigma: float = 4.0
    min_samples: int = 30
    alpha: float = 0.05
    seasonal_min: int = 10


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def observe(state: NoiseState, series: str, metric: str, value: float, when: float,
            knobs: Knobs) -> str | None:
    """Score a sample against its baseline (seasonal bucket when warm), then learn from it.

    Returns a human-readable anomaly when the sample deviates by more than `knobs.sigma`.
    """
    base = state.get_baseline(series, Baseline.loads) or Baseline()
    bucket = base.hour(int(when // 3600) % BUCKETS)
    ref = bucket if bucket.n >= knobs.seasonal_min else base.overall
    finding = None
    if base.overall.n >= knobs.min_samples:
        sigma = ref.sigma()
        score = (value - ref.mean) / sigma
        if abs(score) > knobs.sigma:
            where = "above" if score > 0 else "below"
            finding = (f"{metric}={_fmt(value)} is {abs(score):.1f}σ {where} its baseline "
                       f"{_fmt(ref.mean)}±{_fmt(sigma)}")
    base.overall.update(value, knobs.alpha)
    bucket.update(value, knobs.alpha)
    state.put_baseline(series, base)
    return finding
