"""Packed signal and decision rows (issue #12 storage): smaller, same data, old databases open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.kernel.db import open_db
from agent.kernel.decision import Decision
from agent.kernel.packing import DECISION_DICT, SIGNAL_DICT, pack, unpack
from agent.kernel.signal import Signal
from agent.store.signals import SignalStore
from agent.tickets.outbox import TicketStore

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

# The layout of a database made before rows were packed (bodies as JSON text, no columns for
# the security flag and the ticket system).
OLD_SCHEMA = """
CREATE TABLE signals (signal_id TEXT PRIMARY KEY, source TEXT NOT NULL, fingerprint TEXT NOT NULL,
  status TEXT NOT NULL, service TEXT, ts TEXT NOT NULL, received_at TEXT NOT NULL,
  body TEXT NOT NULL, payload_id TEXT, raw_path TEXT);
CREATE TABLE decisions (signal_id TEXT PRIMARY KEY, service TEXT, group_id TEXT,
  kind TEXT NOT NULL, ts TEXT NOT NULL, body TEXT NOT NULL);
"""


def _signal(i: int, source: str = "alertmanager", **labels: str) -> Signal:
    return Signal(signal_id=f"sig-{i}", source=source, fingerprint=f"fp{i}", title=f"alert {i}",
                  labels={"alertname": "HighCPU", **labels}, service="checkout-api",
                  timestamp=T0 + timedelta(minutes=i), received_at=T0 + timedelta(minutes=i))


def _decision(signal: Signal, security: bool) -> Decision:
    return Decision(signal_id=signal.signal_id, source=signal.source,
                    fingerprint=signal.fingerprint, received_at=signal.received_at,
                    kind="alert", event_type="exception", security=security, impact="medium",
                    urgency="high", priority="P2", severity="SEV2", service=signal.service,
                    rationale="alert/exception by rule 'breach'", timestamp=signal.timestamp)


@pytest.mark.parametrize("dictionary", [None, DECISION_DICT, SIGNAL_DICT])
def test_pack_round_trips_and_text_reads_as_is(dictionary: bytes | None) -> None:
    text = '{"signal_id":"sig-1","title":"ünïcode ✓","security":false}'
    packed = pack(text, dictionary)
    assert isinstance(packed, bytes) and unpack(packed) == text
    assert unpack(text) == text
    with pytest.raises(ValueError, match="unknown dictionary"):
        unpack(pack(text, b"a dictionary nobody registered"))


def test_rows_are_packed_smaller_and_read_back_equal(tmp_path: Path) -> None:
    store = SignalStore(open_db(tmp_path / "t.db"))
    signals = [_signal(i) for i in range(20)]
    store.add_signals(signals)
    decisions = [_decision(s, security=i % 2 == 0) for i, s in enumerate(signals)]
    for decision in decisions:
        store.save_decision(decision)
    for signal, decision in zip(signals, decisions, strict=True):
        assert store.get_signal(signal.signal_id) == signal
        assert store.get_decision(signal.signal_id) == decision
    rows = store.conn.execute("SELECT body FROM decisions").fetchall()
    stored = sum(len(r[0]) for r in rows)
    text = sum(len(d.model_dump_json()) for d in decisions)
    assert all(isinstance(r[0], bytes) for r in rows) and stored < text / 3
    found = store.security_decisions(T0, T0 + timedelta(hours=1))
    assert [d.signal_id for d in found] == [f"sig-{i}" for i in range(0, 20, 2)]


def test_a_database_from_before_packing_opens_and_answers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    signals = [_signal(1), _signal(2, "ticket", ticket_system="jira-main"), _signal(3, "ticket")]
    for i, signal in enumerate(signals):
        old.execute("INSERT INTO signals VALUES (?,?,?,?,?,?,?,?,NULL,NULL)",
                    (signal.signal_id, signal.source, signal.fingerprint, signal.status,
                     signal.service, signal.timestamp.isoformat(),
                     signal.received_at.isoformat(), signal.model_dump_json()))
        decision = _decision(signal, security=i == 0)
        old.execute("INSERT INTO decisions VALUES (?,?,?,?,?,?)",
                    (signal.signal_id, signal.service, "", "alert",
                     signal.timestamp.isoformat(), decision.model_dump_json()))
    old.commit()
    old.close()
    store = SignalStore(open_db(path))
    assert store.get_signal("sig-2") == signals[1]
    assert store.get_decision("sig-1") == _decision(signals[0], security=True)
    found = store.security_decisions(T0, T0 + timedelta(hours=1))
    assert [d.signal_id for d in found] == ["sig-1"]  # the flag was filled in for old rows
    store.add_signals([_signal(4, "ticket", ticket_system="jira-main")])
    store.save_decision(_decision(_signal(4, "ticket"), security=True))
    assert [d.signal_id for d in store.security_decisions(T0, T0 + timedelta(hours=1))] == \
        ["sig-1", "sig-4"]
    tickets = TicketStore(store.conn)
    assert tickets.unhandled_ticket_decisions() == ["sig-2", "sig-4"]  # old text and new packed
    SignalStore(open_db(path))  # opening it again alters nothing twice


def test_timeline_facts_are_packed_and_older_text_rows_read(tmp_path: Path) -> None:
    from agent.incidents.model import TimelineEntry
    from agent.incidents.store import IncidentStore

    store = IncidentStore(open_db(tmp_path / "t.db"))
    facts = {"signal_id": "sig-1", "kind": "incident", "priority": "P1"}
    with store.tx():
        store.add_entry("INC-1", TimelineEntry(T0, "system:triage", "signal_linked", "x", None,
                                               facts))
        store.add_entry("INC-1", TimelineEntry(T0, "system:triage", "note", "no facts"))
        store.conn.execute("INSERT INTO incident_timeline (incident_id, at, actor, event, "
                           "detail, data) VALUES ('INC-1', ?, 'a', 'old', '', ?)",
                           (T0.isoformat(), '{"tool": "dns_lookup"}'))
    stored = [r[0] for r in store.conn.execute("SELECT data FROM incident_timeline")]
    assert isinstance(stored[0], bytes) and stored[1] is None
    assert [e.data for e in store.timeline("INC-1")] == [facts, {}, {"tool": "dns_lookup"}]
