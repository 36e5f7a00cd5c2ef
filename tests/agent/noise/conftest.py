"""Fixtures for the noise gate tests: gates on real SQLite files and signal factories."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from agent.config.org import OrgConfig
from agent.kernel.db import open_db
from agent.kernel.signal import MetricSample, Signal
from agent.noise.gate import NoiseGate

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
_ids = itertools.count()



def fingerprint(labels: dict[str, str]) -> str:
    """A canonical label hash, as the parser computes for label-based sources."""
    text = "\x1f".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def alert(alertname: str = "HighCPU", at: float = 0, status: str = "firing",
          start: float | None = None, **labels: Any) -> Signal:
    """An Alertmanager-like signal `at` minutes after T0 (start defaults to `at`)."""
    labels = {"alertname": alertname, **{k: str(v) for k, v in labels.items()}}
    starts = T0 + timedelta(minutes=at if start is None else start)
    ts = T0 + timedelta(minutes=at) if status == "resolved" else starts  # as the parser does
    return Signal(signal_id=f"s{next(_ids)}", source="alertmanager",
                  fingerprint=fingerprint(labels), status=status, title=alertname,
                  labels=labels, severity=labels.get("severity"), service=labels.get("service"),
                  host=labels.get("instance"), starts_at=starts,
                  ends_at=T0 + timedelta(minutes=at) if status == "resolved" else None,
                  timestamp=ts, received_at=T0 + timedelta(minutes=at))


def ticket(title: str, at: float = 0, service: str | None = None) -> Signal:
    """A user ticket `at` minutes after T0."""
    when = T0 + timedelta(minutes=at)
    return Signal(signal_id=f"s{next(_ids)}", source="ticket",
                  fingerprint=hashlib.sha256(title.encode()).hexdigest()[:16], title=title,
                  text=title, service=service, timestamp=when, received_at=when)


def sample(name: str, value: float, at: float, **labels: str) -> Signal:
    """A raw metric sample `at` minutes after T0."""
    when = T0 + timedelta(minutes=at)
    return Signal(signal_id=f"s{next(_ids)}", source="metric",
                  fingerprint=fingerprint({"__name__": name, **labels}) + f"@{at}",
                  title=name, labels=labels, service=labels.get("service"),
                  metric=MetricSample(name=name, value=value), timestamp=when, received_at=when)


@pytest.fixture
def make_gate(tmp_path) -> Callable[..., NoiseGate]:
    """Build a gate on a fresh file database from a config dict."""
    def build(config: dict | None = None, db: str = "noise.db") -> NoiseGate:
        return NoiseGate(open_db(tmp_path / db), OrgConfig.model_validate(config or {}))
    return build


@pytest.fixture
def sig() -> SimpleNamespace:
    """Signal factories: sig.alert(...), sig.ticket(...), sig.sample(...), sig.T0."""
    return SimpleNamespace(T0=T0, alert=alert, ticket=ticket, sample=sample,
                           fingerprint=fingerprint)
