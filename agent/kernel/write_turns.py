"""Turns at SQLite's one write lock between the threads of a process.

SQLite lets one connection write at a time and a blocked writer only polls (its busy handler
sleeps 1, 2, 5 … 100 ms between tries). Under an ingest storm the group-commit writer starts
its next transaction microseconds after the last one commits, so a decision's short writes
(a claim, the noise state, the decision, the tool ledger) almost never find the lock free, and
once the busy handler is sleeping 25–100 ms between tries, the lock has been taken again
when it wakes. Two things fix that inside one process:

* a **baton** per database file: a connection takes it when it starts writing (a write
  statement, or `BEGIN IMMEDIATE`/`EXCLUSIVE`) and gives it back when its transaction ends, so
  a waiting writer of this process is woken the moment the lock is free instead of polling;
  other processes still meet SQLite's own lock and busy timeout;
* **turns**: a connection waiting for the baton says so (`wanted`), and the bulk writer asks
  before each batch (`yield_to_waiting`) and lets them go first: the ack path waits a few
  milliseconds, the decision does not wait seconds.

A thread that already holds the baton through one connection and writes through another one
of the same file is not blocked here (SQLite's busy timeout decides, as before); a baton not
free within the busy timeout is skipped the same way, so this layer never deadlocks.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_cond = threading.Condition(threading.Lock())
_waiting = 0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_STARTS = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
BATON_TIMEOUT_S = 30.0  # as the connections' busy timeout


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


class _Baton:
    """This process's turn at one database file's write lock, handed on first come, first
    served (a writer in a tight loop cannot keep it from a waiting one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: int | None = None  # the holder's thread
        self._queue: deque[tuple[int, threading.Event]] = deque()

    def take(self, timeout: float) -> bool:
        """Wait for the baton and take it; False (not taken) when this thread already holds
        it through another connection, or it stayed taken for `timeout`."""
        me = threading.get_ident()
        with self._lock:
            if self._thread == me:
                return False
            if self._thread is None and not self._queue:
                self._thread = me
                return True
            turn = (me, threading.Event())
            self._queue.append(turn)
        if turn[1].wait(timeout):
            return True
        with self._lock:
            if turn[1].is_set():  # handed over just as the wait ended
                return True
            self._queue.remove(turn)
            return False

    def give(self) -> None:
        """Hand the baton to the writer waiting longest, or leave it free."""
        with self._lock:
            if self._queue:
                thread, event = self._queue.popleft()
                self._thread = thread
                event.set()
            else:
                self._thread = None


_batons: dict[str, _Baton] = {}
_batons_lock = threading.Lock()


def baton_for(database: Any) -> _Baton | None:
    """The baton of a database file (None for a private in-memory database)."""
    name = os.fspath(database) if isinstance(database, str | os.PathLike) else ""
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    key = name if name.startswith("file:") else os.path.realpath(name)
    with _batons_lock:
        return _batons.setdefault(key, _Baton())


def _starts_write(sql: str, in_transaction: bool) -> bool:
    # inside an open transaction never wait here: it may hold SQLite's lock already
    head = sql.lstrip()[:15].upper()
    return not in_transaction and head.startswith(_WRITES + _STARTS)


class TurnTakingConnection(sqlite3.Connection):
    """A connection that takes its process's baton for the file while it writes (`wanted`
    while it waits), and gives it back when the write transaction ends."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._baton = baton_for(database)
        self._holding = False

    def _take(self) -> None:
        if self._baton is None or self._holding:
            return
        with wanted():
            self._holding = self._baton.take(BATON_TIMEOUT_S)

    def _settle(self, closed: bool = False) -> None:
        """Give the baton back once no transaction is open any more (or the connection closed)."""
        if self._holding and (closed or not self.in_transaction):
            self._holding = False
            assert self._baton is not None
            self._baton.give()

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """`sqlite3.Connection.execute`; a write waits its turn at the baton."""
        if not self._holding and _starts_write(sql, self.in_transaction):
            self._take()
        try:
            return super().execute(sql, parameters)
        finally:
            self._settle()

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        """`sqlite3.Connection.executemany`, taking turns like `execute`."""
        if not self._holding and _starts_write(sql, self.in_transaction):
            self._take()
        try:
            return super().executemany(sql, parameters)
        finally:
            self._settle()

    def commit(self) -> None:
        """`sqlite3.Connection.commit`; gives the baton back."""
        try:
            super().commit()
        finally:
            self._settle()

    def rollback(self) -> None:
        """`sqlite3.Connection.rollback`; gives the baton back."""
        try:
            super().rollback()
        finally:
            self._settle()

    def __exit__(self, *exc: Any) -> Any:
        try:
            return super().__exit__(*exc)
        finally:
            self._settle()

    def close(self) -> None:
        """`sqlite3.Connection.close`; a transaction still open is rolled back, the baton given."""
        try:
            super().close()
        finally:
            self._settle(closed=True)
