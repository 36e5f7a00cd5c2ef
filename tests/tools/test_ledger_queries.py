"""The ledger's narrow reads for limits and breakers agree with reading whole rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.kernel.db import open_db
from tools.ledger import Ledger

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger(open_db(tmp_path / "ledger.db"))
    statuses = ["ok", "error", "error", "ok", "error", "error", "error"]
    for i, status in enumerate(statuses):
        for event in ("started", "result"):
            led.append(event, "systemd_restart", ts=T0 + timedelta(minutes=i), args_hash="h",
                       target="web-1", status=status if event == "result" else "started")
    led.append("result", "systemd_restart", ts=T0, args_hash="h", target="web-2",
               status="error")
    led.append("result", "kubectl_scale", ts=T0, args_hash="h", target="web-1", status="ok")
    return led


@pytest.mark.parametrize("since_min", [0, 2, 5, 7])
@pytest.mark.parametrize("limit", [1, 3, 10])
def test_recent_statuses_are_the_tail_of_recent(ledger: Ledger, since_min: int,
                                                limit: int) -> None:
    since = T0 + timedelta(minutes=since_min)
    whole = [r.status for r in ledger.recent("systemd_restart", "web-1", "result", since)]
    assert ledger.recent_statuses("systemd_restart", "web-1", "result", since, limit) \
        == whole[-limit:]


def test_count_recent_counts_one_tool_target_and_event(ledger: Ledger) -> None:
    since = T0 + timedelta(minutes=3)
    assert ledger.count_recent("systemd_restart", "web-1", "started", since) == 4
    assert ledger.count_recent("systemd_restart", "web-1", "started", since) == len(
        ledger.recent("systemd_restart", "web-1", "started", since))
    assert ledger.count_recent("systemd_restart", "web-2", "result", T0) == 1
    assert ledger.count_recent("kubectl_scale", "web-1", "started", T0) == 0


def test_unknown_events_are_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="unknown ledger event"):
        ledger.count_recent("x", "y", "drop table", T0)
    with pytest.raises(ValueError, match="unknown ledger event"):
        ledger.recent_statuses("x", "y", "' OR 1=1 --", T0, 3)


def test_has_key_agrees_with_reading_the_key_s_rows(tmp_path: Path) -> None:
    led = Ledger(open_db(tmp_path / "keys.db"))
    led.append("proposed", "systemd_restart", ts=T0, args_hash="h", idem_key="k1")
    led.append("started", "systemd_restart", ts=T0, args_hash="h", idem_key="k2")
    led.append("result", "systemd_restart", ts=T0, args_hash="h", idem_key="k2", status="ok")
    for key in ("k1", "k2", "k3", "k"):
        for event in ("proposed", "started", "result", "refused"):
            assert led.has_key(key, event) == bool(led.by_key(key, event)), (key, event)
    assert led.has_key("k1", "proposed") and not led.has_key("k1", "started")
