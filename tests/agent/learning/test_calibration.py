"""Calibration metrics and temperature fitting on known values."""

from __future__ import annotations

import numpy as np
import pytest

from agent.learning.calibration import auroc, brier, ece, fit_temperature, reliability


def test_ece_is_zero_when_confidence_matches_accuracy():
    conf = [0.8] * 10
    ok = [True] * 8 + [False] * 2
    assert ece(conf, ok) == pytest.approx(0.0)
    assert ece([1.0, 1.0], [False, False]) == pytest.approx(1.0)


def test_brier_and_auroc():
    assert brier([1.0, 0.0], [True, False]) == 0.0
    assert brier([0.5, 0.5], [True, False]) == pytest.approx(0.25)
    assert auroc([0.9, 0.8, 0.3, 0.2], [True, True, False, False]) == 1.0
    assert auroc([0.2, 0.3, 0.8, 0.9], [True, True, False, False]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.9], [True]) is None


def test_reliability_buckets_count_every_decision():
    rows = reliability([0.55, 0.95, 1.0, 0.1], [True, True, False, False])
    assert sum(r["n"] for r in rows) == 4
    top = rows[-1]
    assert top["n"] == 2 and top["accuracy"] == 0.5


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    # logits point the right way only 70 % of the time but are huge: overconfident
    right = rng.random(400) < 0.7
    sign = np.where(right, 1.0, -1.0) * np.where(y == 1, 1.0, -1.0)
    logits = np.stack([-sign * 5, sign * 5], axis=1)
    assert fit_temperature(logits, y) > 2.0
