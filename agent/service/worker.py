"""Background decisions: stored signals are claimed, decided by the pipeline and reported.

The HTTP handler stores a payload, answers 202 and submits the ids here. Worker threads claim
each id (so no other thread or process decides it too), run `Pipeline.decide`, then tell the
listeners (Slack, metrics). On start, and every `scan_interval_s`, the store is scanned for
signals that were stored but never decided (a crash, another process that died) and those are
decided too, oldest first. With `tail_s`, a thread also takes, every `tail_s`, the inbox rows
that other processes accepted and nobody decides: how deciding processes serve the signals an
ingest-only process (`triage serve --no-decide`) stored.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable

from agent.kernel.decision import Decision
from agent.pipeline import Pipeline
from agent.service.claims import ClaimBook
from agent.service.inbox import Inbox, new_owner
from agent.service.metrics import ServiceMetrics

log = logging.getLogger(__name__)
Listener = Callable[[Decision], None]
SCAN_PAGE = 500  # undecided signals queued per scan; a full page triggers the next scan soon
SCAN_LANE = 1  # lane of signals found by a scan (resumed after a restart, orphans)
DEFAULT_LANE = 3  # lane of ids submitted without one


class DecisionWorker:
    """A small pool of threads that decides stored signals exactly once across processes."""

    def __init__(self, pipeline: Pipeline, claims: ClaimBook, metrics: ServiceMetrics, *,
                 threads: int = 1, scan_interval_s: float = 15.0, max_attempts: int = 3,
                 retry_delay_s: float = 1.0, worker_id: str | None = None,
                 inbox: Inbox | None = None, tail_s: float = 0.0,
                 look_ahead: bool = True) -> None:
        self.pipeline, self.claims, self.metrics = pipeline, claims, metrics
        self.threads = max(1, threads)
        self.scan_interval_s = scan_interval_s
        self.max_attempts = max_attempts
        self.retry_delay_s = retry_delay_s
        self.worker_id = worker_id or (inbox.owner if inbox is not None else new_owner())
        self.inbox = inbox
        self.tail_s = tail_s
        self.look_ahead = look_ahead  # warm the next queued signal while deciding one
        self.listeners: list[Listener] = []
        self._heap: list[tuple[int, int, str]] = []  # (lane, arrival, signal id)
        self._seq = itertools.count()
        self._pending: set[str] = set()  # queued or in progress in this process
        self._cond = threading.Condition()
        self._scan_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tailer: threading.Thread | None = None
        self._more = False  # the last scan filled a page: more undecided signals may wait

    # ---- control -----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(decision)` after each decision this worker makes (never redeliveries;
        again when a crash cut the listeners short, so a listener must be idempotent)."""
        self.listeners.append(listener)

    def start(self, resume: bool = True) -> None:
        """Start the threads; with `resume`, first queue this process's inbox (taking over the
        rows and claims of processes that are gone), then every other undecided signal."""
        if resume and self.inbox is not None:
            try:
                rows = self.inbox.adopt()
            except Exception:
                log.exception("reading the inbox failed")
                rows = []
            if rows:
                log.info("resuming the inbox", extra={"count": len(rows)})
                self.submit([sid for sid, _ in rows], [lane for _, lane in rows])
        if resume:
            found = self.scan()
            if found:
                log.info("resuming undecided signals", extra={"count": found})
        self._stop.clear()
        for i in range(self.threads):
            thread = threading.Thread(target=self._run, name=f"triage-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.tail_s > 0 and self.inbox is not None:
            self._tailer = threading.Thread(target=self._tail, name="triage-worker-tail",
                                            daemon=True)
            self._tailer.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the signal in hand and stop; queued ids stay stored and resume next start."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for thread in [*self._threads, *([self._tailer] if self._tailer else [])]:
            thread.join(timeout)
        self._threads.clear()
        self._tailer = None

    @property
    def alive(self) -> int:
        """How many worker threads are running."""
        return sum(t.is_alive() for t in self._threads)

    @property
    def backlog(self) -> int:
        """Signals queued or in progress in this process."""
        with self._cond:
            return len(self._pending)

    def submit(self, signal_ids: Iterable[str], lanes: Iterable[int] | None = None) -> None:
        """Queue stored signals for a decision in their lanes (lower first, then oldest);
        ids already queued here are skipped."""
        ids = list(signal_ids)
        order = list(lanes) if lanes is not None else [DEFAULT_LANE] * len(ids)
        with self._cond:
            for signal_id, lane in zip(ids, order, strict=False):
                if signal_id not in self._pending:
                    self._pending.add(signal_id)
                    heapq.heappush(self._heap, (lane, next(self._seq), signal_id))
            self._cond.notify_all()

    def queued_lanes(self) -> list[int]:
        """The lanes of the signals waiting here, in the order they will be taken."""
        with self._cond:
            return [lane for lane, _, _ in sorted(self._heap)]

    def scan(self) -> int:
        """Queue stored signals that nobody decided or works on; return how many were new."""
        if not self._scan_lock.acquire(blocking=False):
            return 0
        try:
            ids = self.claims.undecided(limit=SCAN_PAGE)
            self._more = len(ids) >= SCAN_PAGE
        except Exception:
            log.exception("scan for undecided signals failed")
            return 0
        finally:
            self._scan_lock.release()
        with self._cond:
            new = [i for i in ids if i not in self._pending]
        self.submit(new, [SCAN_LANE] * len(new))
        return len(new)

    def take_waiting(self) -> int:
        """Queue inbox rows other processes accepted and nobody decides; return how many.

        With a page in hand only rows in lanes more urgent than everything queued are taken,
        so a new incident is not left behind a storm's backlog."""
        if self.inbox is None:
            return 0
        with self._cond:
            full = len(self._pending) >= SCAN_PAGE
            below = max((lane for lane, _, _ in self._heap), default=None) if full else None
        if full and below is None:
            return 0  # a page in progress and nothing queued behind it
        try:
            rows = self.inbox.waiting(SCAN_PAGE, below_lane=below)
        except Exception:
            log.exception("reading the inbox failed")
            return 0
        with self._cond:
            new = [(sid, lane) for sid, lane in rows if sid not in self._pending]
        self.submit([sid for sid, _ in new], [lane for _, lane in new])
        return len(new)

    def _tail(self) -> None:
        while not self._stop.wait(self.tail_s):
            self.take_waiting()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is queued or in progress here; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    # ---- work --------------------------------------------------------------------------------

    def _take(self, timeout: float) -> str | None:
        """The next signal id by lane, or None when nothing came within `timeout` or on stop."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._heap and not self._stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._stop.is_set() or not self._heap:
                return None
            return heapq.heappop(self._heap)[2]

    def _run(self) -> None:
        while not self._stop.is_set():
            signal_id = self._take(0.05 if self._more else self.scan_interval_s)
            if signal_id is None:
                if not self._stop.is_set():
                    self.scan()
                continue
            if self.look_ahead:
                self._look_ahead()
            try:
                self.process(signal_id)
            finally:
                with self._cond:
                    self._pending.discard(signal_id)
                    self._cond.notify_all()

    def _look_ahead(self) -> None:
        """Let the pipeline warm the next queued signal (the heap's top) while this one is
        decided."""
        with self._cond:
            upcoming = [self._heap[0][2]] if self._heap else []
        if not upcoming:
            return
        try:
            self.pipeline.look_ahead(upcoming)
        except Exception:  # a warm-up only: deciding goes on without it
            log.exception("look-ahead failed", extra={"signal_ids": upcoming})

    def process(self, signal_id: str) -> Decision | None:
        """Claim and decide one signal; None when someone else has it or it failed."""
        try:
            if not self.claims.claim(signal_id, self.worker_id):
                if self.pipeline.decision(signal_id) is not None:
                    self._done(signal_id)  # decided already (a redelivery, another process)
                return None
        except Exception:
            log.exception("claim failed", extra={"signal_id": signal_id})
            return None
        started = time.perf_counter()
        try:
            decision = self.pipeline.decide(signal_id)
        except Exception as exc:
            self.metrics.decision_errors.inc()
            retry = self._release(signal_id, f"{type(exc).__name__}: {exc}")
            log.exception("decision failed", extra={"signal_id": signal_id, "retry": retry})
            if not retry:
                self._done(signal_id)  # failed for good: the claim row keeps the error
            if retry and not self._stop.is_set():
                timer = threading.Timer(self.retry_delay_s, self.submit, args=([signal_id],))
                timer.daemon = True
                timer.start()
            return None
        self._observe(decision, time.perf_counter() - started)
        # listeners run before the claim is done: a crash inside one (a Slack post cut short)
        # leaves the claim to the next process, which calls them again for this decision
        for listener in self.listeners:
            try:
                listener(decision)
            except Exception:
                log.exception("decision listener failed", extra={"signal_id": signal_id})
        self.claims.finish(signal_id, self.worker_id)
        self._done(signal_id)
        return decision

    def _done(self, signal_id: str) -> None:
        if self.inbox is None:
            return
        try:
            self.inbox.done(signal_id)
        except Exception:
            log.exception("trimming the inbox failed", extra={"signal_id": signal_id})

    def _release(self, signal_id: str, error: str) -> bool:
        try:
            return self.claims.release(signal_id, self.worker_id, error, self.max_attempts)
        except Exception:
            log.exception("releasing a claim failed", extra={"signal_id": signal_id})
            return False

    def _observe(self, decision: Decision, seconds: float) -> None:
        m = self.metrics
        m.decisions.inc(kind=decision.kind, priority=decision.priority)
        if decision.noise.duplicate_of:
            m.duplicates.inc()
        if decision.noise.suppressed_by:
            m.suppressed.inc()
        if decision.llm_tokens:
            m.llm_tokens.inc(decision.llm_tokens, reasoner=decision.reasoner)
        m.decision_seconds.observe(seconds)
        m.time_to_decision.observe(max(0.0, time.time() - decision.received_at.timestamp()))
