"""Group-commit batches of deliveries: redeliveries exact within and across batches, one
statement per table whatever the batch size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.kernel.db import open_db
from agent.kernel.signal import Signal
from agent.store import signals as signals_module
from agent.store.signals import SignalStore

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _signal(name: str) -> Signal:
    return Signal(signal_id=name, source="alertmanager", fingerprint=f"fp-{name}",
                  title=f"alert {name}", labels={"alertname": "HighCPU"}, service="checkout-api",
                  timestamp=T0 + timedelta(seconds=1), received_at=T0)


def _count(store: SignalStore, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_a_key_repeated_in_the_batch_or_seen_before_returns_the_first_ids(
        tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))
    first = store.add_batch([([_signal("a1"), _signal("a2")], "k1"), ([_signal("b1")], "k2"),
                             ([_signal("a9")], "k1"), ([_signal("c1")], None)])
    assert first == [["a1", "a2"], ["b1"], ["a1", "a2"], ["c1"]]
    again = store.add_batch([([_signal("b9")], "k2"), ([_signal("d1")], "k3")])
    assert again == [["b1"], ["d1"]]
    stored = {r[0] for r in store.conn.execute("SELECT signal_id FROM signals")}
    assert stored == {"a1", "a2", "b1", "c1", "d1"}  # the redelivered copies stored nothing
    assert _count(store, "deliveries") == 3
    assert store.get_signal("a2") is not None and store.get_signal("a9") is None


def test_more_keys_than_one_lookup_binds_are_all_checked(tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))
    n = 2 * signals_module.KEYS_PER_QUERY + 7
    store.add_batch([([_signal(f"s{i}")], f"key-{i}") for i in range(n)])
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    redelivered = store.add_batch([([_signal(f"r{i}")], f"key-{i}") for i in range(n)])
    store.conn.set_trace_callback(None)
    assert redelivered == [[f"s{i}"] for i in range(n)]
    assert _count(store, "signals") == n and _count(store, "deliveries") == n
    lookups = [s for s in seen if s.startswith("SELECT delivery_key")]
    assert len(lookups) == 3  # chunks of KEYS_PER_QUERY, not one per delivery
    assert not [s for s in seen if s.startswith("INSERT")]


def test_a_failing_then_stores_nothing_of_the_batch(tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))

    def then(_conn: object, _ids: list[list[str]]) -> None:
        raise RuntimeError("inbox write failed")

    with pytest.raises(RuntimeError, match="inbox write failed"):
        store.add_batch([([_signal("x1")], "kx"), ([_signal("y1")], None)], then=then)
    assert _count(store, "signals") == 0 and _count(store, "deliveries") == 0
    assert store.add_batch([([_signal("x2")], "kx")]) == [["x2"]]
