"""Turns at SQLite's one write lock between the threads of a process.

SQLite lets one connection write at a time and a blocked writer only polls (its busy handler
sleeps 1, 2, 5 … 100 ms between tries). Under an ingest storm the group-commit writer starts
its next transaction microseconds after the last one commits, so a decision's short writes
(a claim, the noise state, the decision, the tool ledger) almost never find the lock free and
a new incident waits for the storm to end. Here a connection that starts a write while none is
open says so for as long as it waits (`wanted`), and the bulk writer asks before each batch
(`yield_to_waiting`) and lets them go first: the ack path waits a few milliseconds, the
decision does not wait seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_cond = threading.Condition(threading.Lock())
_waiting = 0
_WRITES = ("BEGIN", "INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def wanted() -> Iterator[None]:
    """Mark this thread as waiting for (and then taking) the write lock while inside."""
    global _waiting
    with _cond:
        _waiting += 1
    try:
        yield
    finally:
        with _cond:
            _waiting -= 1
            if not _waiting:
                _cond.notify_all()


def waiting() -> int:
    """How many threads of this process are starting a write right now."""
    return _waiting


def yield_to_waiting(max_wait_s: float) -> bool:
    """Wait (at most `max_wait_s`) until no other writer of this process is starting a write;
    True when nobody was waiting or they all went first."""
    with _cond:
        if not _waiting:
            return True
        return _cond.wait_for(lambda: _waiting == 0, timeout=max_wait_s)


class TurnTakingConnection(sqlite3.Connection):
    """A connection whose writes outside a transaction announce themselves (`wanted`)."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """`sqlite3.Connection.execute`; a write that opens the write lock waits its turn."""
        if self.in_transaction or not sql.lstrip()[:7].upper().startswith(_WRITES):
            return super().execute(sql, parameters)
        with wanted():
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        """`sqlite3.Connection.executemany`, announced like `execute`."""
        if self.in_transaction:
            return super().executemany(sql, parameters)
        with wanted():
            return super().executemany(sql, parameters)
