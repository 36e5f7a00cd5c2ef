"""Correlated context read from the signal store: each stored decision is decoded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import agent.store.signals as signals_module
from agent.kernel.db import open_db
from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from agent.store.signals import SignalStore

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _stored(store: SignalStore, i: int, priority: str = "P3") -> Decision:
    at = T0 + timedelta(minutes=i)
    signal = Signal(signal_id=f"sig-{i}", source="alertmanager", fingerprint=f"fp{i}",
                    title=f"alert {i}", labels={"alertname": "HighCPU"},
                    service="checkout-api", timestamp=at, received_at=at)
    store.add_signals([signal])
    decision = Decision(signal_id=signal.signal_id, source="alertmanager",
                        fingerprint=signal.fingerprint, received_at=at, kind="alert",
                        event_type="warning", security=i % 2 == 0, impact="medium",
                        urgency="medium", priority=priority, severity="SEV3",
                        service="checkout-api", rationale="by rule", timestamp=at)
    store.save_decision(decision)
    return decision


def _window(store: SignalStore) -> list[Decision]:
    return store.correlated_decisions(["checkout-api"], None, T0, T0 + timedelta(hours=1))


def test_context_is_decoded_once_and_equals_the_stored_decision(tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))
    written = [_stored(store, i) for i in range(4)]
    first, again = _window(store), _window(store)
    assert [d.model_dump() for d in first] == [d.model_dump() for d in written]
    assert all(a is b for a, b in zip(first, again, strict=True))  # decoded once
    secure = store.security_decisions(T0, T0 + timedelta(hours=1))
    assert [d.signal_id for d in secure] == ["sig-0", "sig-2"]
    assert secure[0] is first[0]
    fresh = store.get_decision("sig-0")  # what callers may change is a copy of its own
    assert fresh is not None and fresh is not first[0] and fresh == first[0]


def test_a_rewritten_decision_is_read_anew(tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))
    _stored(store, 0)
    assert _window(store)[0].priority == "P3"
    _stored(store, 0, priority="P1")  # `record` again: another body, so another entry
    assert _window(store)[0].priority == "P1"


def test_the_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signals_module, "CONTEXT_CACHE", 3)
    store = SignalStore(open_db(tmp_path / "t.db"))
    for i in range(6):
        _stored(store, i)
    assert [d.signal_id for d in _window(store)] == [f"sig-{i}" for i in range(6)]
    assert len(store._context) == 3
