"""Everything one `triage serve` process holds: pipeline, stores, worker, metrics, options."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

from agent.config.org import OrgConfig
from agent.config.settings import DEFAULT_MAX_BODY_BYTES, Settings
from agent.kernel.db import db_file, open_db
from agent.pipeline import Pipeline
from agent.service.claims import ClaimBook
from agent.service.commit import GroupCommitter
from agent.service.deadletters import DeadLetters
from agent.service.inbox import CachedCount, Inbox, new_owner
from agent.service.incidents import Resolutions
from agent.service.ingest import Ingestor
from agent.service.metrics import ServiceMetrics
from agent.service.worker import DecisionWorker
from agent.store.signals import SignalStore


@dataclass
class ServiceOptions:
    """Service knobs (CLI flags of `triage serve`; defaults suit one small team)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # Settings.max_body_bytes (TRIAGE_MAX_BODY_BYTES)
    worker_threads: int = 1  # >1 only with a thread-safe pipeline; scale with processes
    scan_interval_s: float = 15.0  # how often to look for orphaned undecided signals
    lease_s: float = 300.0  # a claim older than this is taken to belong to a dead worker
    orphan_grace_s: float = 30.0  # scans skip unclaimed signals younger than this
    max_attempts: int = 3
    retry_delay_s: float = 1.0
    dead_letter_rows: int = 1000
    background: bool = True  # start the decision worker with the app
    decide: bool = True  # False: ingest only (`--no-decide`): store and ack, deciders decide
    tail_inbox_s: float = 0.1  # how often a decider takes what ingest-only processes stored
    insecure_no_auth: bool = False  # open API (`--insecure-no-auth`, loopback only)
    gil_switch_s: float = 0.0005  # sys.setswitchinterval while serving (Python's default
    # 5 ms makes every await of the ack path wait behind a deciding thread); 0 keeps it
    fast_ingest: bool = True  # main receivers answered by the plain ASGI ack path (fastpath.py)
    freeze_heap: bool = False  # after startup (and the KB warm-up), exempt what is loaded from
    # the garbage collector (agent/kernel/heap.py); `triage serve` turns it on


class ThreadStores:
    """One SignalStore per thread, each on its own connection to the pipeline's database.

    A sqlite3 connection shared by threads mixes their transactions (a read left open by one
    thread makes another's write fail with "database is locked"); private connections let
    SQLite's own locking and busy timeout serialize writers. In-memory databases cannot be
    reopened, so they share the pipeline's store.
    """

    def __init__(self, path: str, shared: SignalStore) -> None:
        self.path, self.shared = path, shared
        self._local = threading.local()

    def get(self) -> SignalStore:
        """This thread's store."""
        if not self.path:
            return self.shared
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = SignalStore(self.connect())
        return store

    def connect(self) -> sqlite3.Connection:
        """A new connection to the database (the shared one when it is in memory)."""
        return open_db(self.path) if self.path else self.shared.conn



@dataclass
class Service:
    """The service's components, built once per app and shared by every request."""

    settings: Settings
    config: OrgConfig
    pipeline: Pipeline
    options: ServiceOptions
    conn: sqlite3.Connection  # dead letters, resolutions, health (each guarded by its lock)
    stores: ThreadStores
    claims: ClaimBook
    dead_letters: DeadLetters
    resolutions: Resolutions
    metrics: ServiceMetrics
    worker: DecisionWorker
    ingestor: Ingestor
    committer: GroupCommitter | None = None  # None for an in-memory database
    lock: threading.RLock = field(default_factory=threading.RLock)  # guards `conn`
    slack_enabled: bool = False

    @property
    def store(self) -> SignalStore:
        """The calling thread's signal store."""
        return self.stores.get()

    def connect(self) -> sqlite3.Connection:
        """A new connection to the service's database (for a component with its own lock)."""
        return self.stores.connect()

    @classmethod
    def build(cls, settings: Settings, config: OrgConfig, pipeline: Pipeline,
              options: ServiceOptions | None = None) -> Service:
        """Wire the components on private connections to the pipeline's database."""
        opts = options or ServiceOptions()
        path = db_file(pipeline.store.conn)
        stores = ThreadStores(path, pipeline.store)
        conn = stores.connect()
        claims = ClaimBook(stores.connect(), lease_s=opts.lease_s, grace_s=opts.orphan_grace_s)
        metrics = ServiceMetrics()
        inbox = Inbox(stores.connect(), new_owner()) if path else None
        worker = DecisionWorker(pipeline, claims, metrics, threads=opts.worker_threads,
                                scan_interval_s=opts.scan_interval_s,
                                max_attempts=opts.max_attempts, retry_delay_s=opts.retry_delay_s,
                                inbox=inbox, tail_s=opts.tail_inbox_s)
        lock = threading.RLock()  # every user of `conn`
        dead = DeadLetters(conn, max_rows=opts.dead_letter_rows, lock=lock)
        metrics.gauge("triage_worker_backlog", "Signals queued or in progress in this process.",
                      lambda: worker.backlog)
        metrics.gauge("triage_worker_threads_alive", "Decision worker threads running.",
                      lambda: worker.alive)
        limits = config.ingest
        committer = GroupCommitter(stores.connect, max_batch=limits.group_commit_max_batch,
                                   owner=worker.worker_id) if path else None
        if committer is not None:
            metrics.gauge("triage_group_commits", "Inbox transactions committed (one fsync "
                          "each) by this process.", lambda: committer.batches)
            metrics.gauge("triage_group_commit_payloads", "Payloads stored by those "
                          "transactions.", lambda: committer.payloads)
        ingestor = Ingestor(stores.get, pipeline, dead, metrics, worker if opts.decide else None,
                            committer, limits, backlog=None if opts.decide or inbox is None
                            else CachedCount(inbox))
        return cls(settings=settings, config=config, pipeline=pipeline, options=opts, conn=conn,
                   stores=stores, claims=claims, dead_letters=dead,
                   resolutions=Resolutions(conn, lock), metrics=metrics, worker=worker, lock=lock,
                   ingestor=ingestor, committer=committer)
