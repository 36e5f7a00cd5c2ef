"""Turns at SQLite's write lock: a blocked write announces itself, the bulk writer yields."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from agent.kernel import write_turns
from agent.kernel.db import open_db
from agent.service.commit import GroupCommitter
from agent.signals.parse import parse_payload


def _until(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_a_write_blocked_by_another_connection_is_announced_until_it_gets_the_lock(
        tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    holder, writer, reader = open_db(db), open_db(db), open_db(db)
    holder.execute("CREATE TABLE t (x INTEGER)")
    assert write_turns.waiting() == 0
    holder.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def write() -> None:
        writer.execute("INSERT INTO t VALUES (1)")  # blocks on the held write lock
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert _until(lambda: write_turns.waiting() == 1)
    # reads never wait (another connection: `writer` itself is busy in the blocked INSERT)
    assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert write_turns.waiting() == 1
    holder.execute("COMMIT")
    assert done.wait(10)
    thread.join()
    assert write_turns.waiting() == 0
    assert holder.execute("SELECT x FROM t").fetchall()[0][0] == 1


def test_writes_inside_an_open_transaction_are_not_announced_again(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (x INTEGER)")
    seen: list[int] = []
    original = write_turns.wanted

    def counting():  # type: ignore[no-untyped-def]
        seen.append(1)
        return original()

    write_turns_wanted = write_turns.wanted
    try:
        write_turns.wanted = counting  # type: ignore[assignment]
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.executemany("INSERT INTO t VALUES (?)", [(2,), (3,)])
        conn.execute("COMMIT")
        conn.execute("SELECT * FROM t").fetchall()
    finally:
        write_turns.wanted = write_turns_wanted  # type: ignore[assignment]
    assert seen == [1]  # only the BEGIN IMMEDIATE


def test_yield_to_waiting_returns_once_the_waiting_writer_went_first() -> None:
    assert write_turns.yield_to_waiting(0.0)  # nobody waits: no wait at all
    entered, leave = threading.Event(), threading.Event()
    order: list[str] = []

    def writer() -> None:
        with write_turns.wanted():
            entered.set()
            leave.wait(10)
            order.append("writer")

    thread = threading.Thread(target=writer)
    thread.start()
    assert entered.wait(10)
    assert not write_turns.yield_to_waiting(0.01)  # still waiting: gives up after the cap
    threading.Timer(0.05, leave.set).start()
    assert write_turns.yield_to_waiting(10.0)
    order.append("bulk")
    thread.join()
    assert order == ["writer", "bulk"]


def test_the_group_committer_stores_while_another_thread_writes(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    committer = GroupCommitter(lambda: open_db(db))
    other = open_db(db)
    other.execute("CREATE TABLE side (x INTEGER)")
    body = {"labels": {"alertname": "HighCPU", "service": "checkout-api"},
            "startsAt": "2026-12-01T10:00:00Z", "status": "firing"}
    stop = threading.Event()
    ids_from = itertools.count()
    received = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    def signals(i: int):  # type: ignore[no-untyped-def]
        return parse_payload({**body, "fingerprint": f"f{i}"}, received_at=received,
                             new_id=lambda: f"s{next(ids_from)}")

    def side_writes() -> None:
        while not stop.is_set():
            other.execute("INSERT INTO side VALUES (1)")

    thread = threading.Thread(target=side_writes)
    thread.start()
    try:
        futures = [committer.submit(signals(i), None)
                   for i in range(50)]
        ids = [f.result(timeout=30) for f in futures]
    finally:
        stop.set()
        thread.join()
        committer.stop()
    assert len({i for batch in ids for i in batch}) == 50
    assert other.execute("SELECT count(*) FROM side").fetchone()[0] > 0
