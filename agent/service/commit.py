"""Group commit: one writer thread appends accepted payloads to the inbox in batched transactions.

The ack path parses a body, hands its signals here and waits; the writer takes every payload
queued meanwhile (up to `max_batch`), stores them in one `BEGIN IMMEDIATE … COMMIT` on its own
connection with `synchronous = FULL` (the WAL is fsynced before COMMIT returns), then answers
all of them at once. Many concurrent requests share one fsync, and a 202 still means the
payload is on disk. Each new signal also gets its inbox row (lane, owner) in that transaction:
the inbox the worker drains (agent/service/inbox.py).
A failed batch fails every payload in it (nothing of it is stored; senders retry on 503).
Before each batch the writer lets the process's other writers (the decision worker) go first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from agent.kernel import write_turns
from agent.kernel.signal import Signal
from agent.service.inbox import add_rows, create_inbox
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)
DEFAULT_LANE = 3  # as the worker's default
YIELD_MAX_S = 0.005  # longest a batch waits for the process's other writers to go first


@dataclass
class _Job:
    signals: list[Signal]
    key: str | None
    lanes: list[int] | None = None
    body: Any = None  # the decoded delivery (stored once; signals keep a path into it)
    future: Future[list[str]] = field(default_factory=Future)
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[list[str]] | None = None


def _settle(results: list[tuple[asyncio.Future[list[str]], list[str] | BaseException]]) -> None:
    """Resolve awaiting requests on their event loop (one wake-up per batch)."""
    for waiter, result in results:
        if waiter.done():
            continue
        if isinstance(result, BaseException):
            waiter.set_exception(result)
        else:
            waiter.set_result(result)


class GroupCommitter:
    """Durable appends of (signals, delivery key) shared by concurrent requests."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], *, max_batch: int = 1000,
                 synchronous: str = "FULL", owner: str | None = None) -> None:
        self._connect, self.max_batch, self.synchronous = connect, max(1, max_batch), synchronous
        self.owner = owner  # with an owner, new signals get inbox rows in the same transaction
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # committed transactions (a gauge for /metrics and benchmarks)
        self.payloads = 0

    def start(self) -> None:
        """Start the writer thread (idempotent; `append` starts it on first use)."""
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                store = self._open()
                self._thread = threading.Thread(target=self._run, args=(store,),
                                                name="triage-group-commit", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the writer."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)
        self._thread = None

    def submit(self, signals: list[Signal], key: str | None,
               lanes: list[int] | None = None, body: Any = None) -> Future[list[str]]:
        """Queue one payload; the future gives its stored ids (or raises the storing error)."""
        self.start()
        job = _Job(signals, key, lanes, body)
        self._queue.put(job)
        return job.future

    async def append(self, signals: list[Signal], key: str | None,
                     lanes: list[int] | None = None, body: Any = None) -> list[str]:
        """Queue one payload and wait (without blocking the event loop) until it is durable."""
        self.start()
        loop = asyncio.get_running_loop()
        job = _Job(signals, key, lanes, body, loop=loop, waiter=loop.create_future())
        self._queue.put(job)
        assert job.waiter is not None
        return await job.waiter

    # ---- the writer --------------------------------------------------------------------------

    def _open(self) -> SignalStore:
        conn = self._connect()
        if self.synchronous:
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        if self.owner:
            create_inbox(conn)
        return SignalStore(conn)

    def _run(self, store: SignalStore) -> None:
        stopping = False
        while not stopping:
            job = self._queue.get()
            if job is None:
                break
            jobs = [job]
            while len(jobs) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                jobs.append(more)
            self._commit(store, jobs)

    def _inbox_rows(self, jobs: list[_Job]
                    ) -> Callable[[sqlite3.Connection, list[list[str]]], None]:
        def then(conn: sqlite3.Connection, stored: list[list[str]]) -> None:
            rows: list[tuple[str, int]] = []
            for job, ids in zip(jobs, stored, strict=True):
                if ids == [s.signal_id for s in job.signals]:  # new, not a redelivery
                    lanes = job.lanes or [DEFAULT_LANE] * len(ids)
                    rows += list(zip(ids, lanes, strict=False))
            assert self.owner is not None
            add_rows(conn, rows, self.owner)
        return then

    def _commit(self, store: SignalStore, jobs: list[_Job]) -> None:
        started = time.perf_counter()
        results: list[list[str] | BaseException]
        # the decision worker's short writes go first: back-to-back batches would otherwise
        # hold SQLite's write lock through a whole storm (agent.kernel.write_turns)
        write_turns.yield_to_waiting(YIELD_MAX_S)
        try:
            stored = store.add_batch([(j.signals, j.key, j.body) for j in jobs],
                                     then=self._inbox_rows(jobs) if self.owner else None)
            results = list(stored)
            self.batches += 1
            self.payloads += len(jobs)
        except Exception as exc:
            log.error("group commit failed", extra={"payloads": len(jobs), "error": str(exc)})
            results = [exc] * len(jobs)
        by_loop: dict[asyncio.AbstractEventLoop,
                      list[tuple[asyncio.Future[list[str]], list[str] | BaseException]]] = {}
        for job, result in zip(jobs, results, strict=True):
            if job.loop is not None and job.waiter is not None:
                by_loop.setdefault(job.loop, []).append((job.waiter, result))
            elif isinstance(result, BaseException):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)
        for loop, items in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, items)
        log.debug("group commit", extra={"payloads": len(jobs),
                                         "ms": round(1000 * (time.perf_counter() - started), 2)})
