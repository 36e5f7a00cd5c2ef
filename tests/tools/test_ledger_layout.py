"""The ledger's compact layout (issue #12 storage) and the layout of ledgers made before it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.kernel.db import open_db
from tools.ledger import GENESIS, Ledger

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
A_HASH = "ab" * 32

# tool_ledger as it was made before hashes were stored as bytes and prev_hash was dropped.
OLD_SCHEMA = """
CREATE TABLE tool_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, event TEXT NOT NULL,
  tool TEXT NOT NULL, args TEXT NOT NULL, args_hash TEXT NOT NULL, idem_key TEXT,
  signal_id TEXT, group_id TEXT, service TEXT, environment TEXT, target TEXT, risk TEXT,
  actor TEXT, status TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX tool_ledger_target ON tool_ledger(tool, target, event, ts);
CREATE TRIGGER tool_ledger_no_update BEFORE UPDATE ON tool_ledger
  BEGIN SELECT RAISE(ABORT, 'tool_ledger is append-only'); END;
CREATE TRIGGER tool_ledger_no_delete BEFORE DELETE ON tool_ledger
  BEGIN SELECT RAISE(ABORT, 'tool_ledger is append-only'); END;
"""


def _fill(ledger: Ledger, n: int = 5) -> None:
    for i in range(n):
        ledger.append("started" if i % 2 else "proposed", "top_processes",
                      ts=T0 + timedelta(seconds=i), args={"limit": i}, args_hash=A_HASH,
                      idem_key=f"k{i}", target="host", signal_id=f"sig-{i}", status="x")
    ledger.append("refused", "rm_rf", ts=T0, args_hash="h", detail={"reason": "unknown"})


def _untrigger(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER tool_ledger_no_update")
    conn.execute("DROP TRIGGER tool_ledger_no_delete")


def test_hashes_are_stored_as_bytes_and_the_chain_reads_back(tmp_path: Path) -> None:
    ledger = Ledger(open_db(tmp_path / "t.db"))
    _fill(ledger)
    assert not ledger.legacy
    columns = [r[1] for r in ledger.conn.execute("PRAGMA table_info(tool_ledger)")]
    assert "prev_hash" not in columns
    stored = ledger.conn.execute("SELECT args_hash, hash FROM tool_ledger ORDER BY seq").fetchall()
    assert [len(h) for _, h in stored] == [32] * 6 and stored[0][0] == bytes.fromhex(A_HASH)
    assert stored[-1][0] == "h"  # a value that is not a hex digest stays text
    rows = ledger.rows()
    assert rows[0].prev_hash == GENESIS and rows[0].args_hash == A_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert [r.seq for r in ledger.by_key("k3", "started")] == [4]
    assert ledger.tail(2) == rows[-2:] and ledger.by_key("k3")[0] == rows[3]
    assert [r.seq for r in ledger.recent("top_processes", "host", "started", T0)] == [2, 4]
    assert ledger.verify() == (True, f"6 rows, chain intact, head {rows[-1].hash[:16]}")


@pytest.mark.parametrize("tamper, broken", [
    ("DELETE FROM tool_ledger WHERE seq = 3", "row 4: hash mismatch"),  # a row removed
    ("UPDATE tool_ledger SET status = 'forged' WHERE seq = 2", "row 2: hash mismatch"),
    ("UPDATE tool_ledger SET hash = zeroblob(32) WHERE seq = 5", "row 5: hash mismatch"),
    ("UPDATE tool_ledger SET seq = 9 WHERE seq = 2", "row 3: hash mismatch"),  # moved
])
def test_every_tampering_is_found(tmp_path: Path, tamper: str, broken: str) -> None:
    ledger = Ledger(open_db(tmp_path / "t.db"))
    _fill(ledger)
    _untrigger(ledger.conn)
    ledger.conn.execute(tamper)
    ok, why = ledger.verify()
    assert not ok and why.startswith(broken), why


def test_a_ledger_made_before_keeps_its_layout_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    old.close()
    ledger = Ledger(open_db(path))
    assert ledger.legacy
    _fill(ledger)
    assert ledger.verify()[0]
    stored = ledger.conn.execute("SELECT prev_hash, hash FROM tool_ledger ORDER BY seq").fetchall()
    assert stored[0][0] == GENESIS and all(len(h) == 64 for _, h in stored)  # hex, as before
    assert [r.seq for r in ledger.recent("top_processes", "host", "started", T0)] == [2, 4]
    again = Ledger(open_db(path))
    assert again.legacy and again.rows() == ledger.rows()
    _untrigger(ledger.conn)
    ledger.conn.execute(f"UPDATE tool_ledger SET prev_hash = '{'1' * 64}' WHERE seq = 3")
    ok, why = ledger.verify()
    assert not ok and why == "row 3: prev_hash does not match row before it"
