"""Everything one `triage serve` process holds: pipeline, stores, worker, metrics, options."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.pipeline import Pipeline
from agent.service.claims import ClaimBook
from agent.service.deadletters import DeadLetters
from agent.service.incidents import Resolutions
from agent.service.ingest import Ingestor
from agent.service.metrics import ServiceMetrics
from agent.service.worker import DecisionWorker
from agent.store.db import open_db
from agent.store.signals import SignalStore


@dataclass
class ServiceOptions:
    """Service knobs (CLI flags of `triage serve`; defaults suit one small team)."""

    max_body_bytes: int = 1_048_576
    worker_threads: int = 1
    scan_interval_s: float = 15.0  # how often to look for orphaned undecided signals
    lease_s: float = 300.0  # a claim older than this is taken to belong to a dead worker
    max_attempts: int = 3
    retry_delay_s: float = 1.0
    dead_letter_rows: int = 1000
    background: bool = True  # start the decision worker with the app


def _own_connection(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A private connection to the pipeline's database file (the same one when in memory)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    return open_db(path) if path else conn


@dataclass
class Service:
    """The service's components, built once per app and shared by every request."""

    settings: Settings
    config: OrgConfig
    pipeline: Pipeline
    options: ServiceOptions
    conn: sqlite3.Connection
    store: SignalStore
    claims: ClaimBook
    dead_letters: DeadLetters
    resolutions: Resolutions
    metrics: ServiceMetrics
    worker: DecisionWorker
    ingestor: Ingestor
    slack_enabled: bool = field(default=False)

    @classmethod
    def build(cls, settings: Settings, config: OrgConfig, pipeline: Pipeline,
              options: ServiceOptions | None = None) -> Service:
        """Wire the components on a private connection to the pipeline's database."""
        opts = options or ServiceOptions()
        conn = _own_connection(pipeline.store.conn)
        store = SignalStore(conn)
        claims = ClaimBook(conn, lease_s=opts.lease_s)
        metrics = ServiceMetrics()
        worker = DecisionWorker(pipeline, claims, metrics, threads=opts.worker_threads,
                                scan_interval_s=opts.scan_interval_s,
                                max_attempts=opts.max_attempts, retry_delay_s=opts.retry_delay_s)
        dead = DeadLetters(conn, max_rows=opts.dead_letter_rows)
        metrics.gauge("triage_worker_backlog", "Signals queued or in progress in this process.",
                      lambda: worker.backlog)
        metrics.gauge("triage_worker_threads_alive", "Decision worker threads running.",
                      lambda: worker.alive)
        return cls(settings=settings, config=config, pipeline=pipeline, options=opts, conn=conn,
                   store=store, claims=claims, dead_letters=dead, resolutions=Resolutions(conn),
                   metrics=metrics, worker=worker,
                   ingestor=Ingestor(store, pipeline, dead, metrics, worker))
