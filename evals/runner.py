"""Run eval cases through the real triage pipeline: fresh state per case, optional parallelism."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.incidents.clock import StreamClock
from agent.kernel.errors import SignalParseError
from evals.dataset import EvalCase
from evals.safety import count_unsafe
from evals.scoring import CaseResult

log = logging.getLogger(__name__)
BASE_TIME = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
Progress = Callable[[int], None]


class PipelineUnavailable(RuntimeError):
    """agent.pipeline cannot be imported (the graph is incomplete in this checkout)."""


class CaseClock:
    """A deterministic clock: BASE_TIME, then +1 s for every payload delivered (received_at)."""

    def __init__(self, base: datetime = BASE_TIME) -> None:
        self._next = base

    def __call__(self) -> datetime:
        """The current fake time; each call advances it by one second."""
        now = self._next
        self._next = now + timedelta(seconds=1)
        return now


@dataclass(frozen=True)
class RunSpec:
    """What every case of a run shares: configuration, reasoner name, knowledge base folder."""

    config: OrgConfig
    reasoner: str = "offline"
    kb_dir: Path | None = None
    settings: Settings | None = None
    # "off": tools=None (nothing planned); "dry-run": plan, never execute; "read-only": run
    # read-only diagnostics for real (egress policy and guard), everything else needs approval
    tools: str = "off"


class CaseRunner:
    """Runs cases one at a time; builds the shared read-only parts (retriever) once."""

    def __init__(self, spec: RunSpec) -> None:
        try:
            from agent import wiring  # imported lazily: heavy, and optional
        except ImportError as exc:
            raise PipelineUnavailable(f"pipeline not available: {exc}") from exc
        self._wiring = wiring
        self.spec = spec
        self.retriever = (wiring.open_kb_at(spec.kb_dir, spec.config) if spec.kb_dir else None)

    def _tools(self) -> Any | None:
        """None, or a fresh dry-run tool runtime (in-memory ledger; nothing ever executes)."""
        if self.spec.tools == "off":
            return None
        if self.spec.tools == "read-only":
            return self._wiring.read_only_tools(self.spec.config, clock=lambda: BASE_TIME)
        return self._wiring.dry_run_tools(self.spec.config, clock=lambda: BASE_TIME)

    def run(self, index: int, case: EvalCase) -> CaseResult:
        """Deliver the case's context then its input on a fresh in-memory pipeline; score later."""
        result = CaseResult(case.id, index, list(case.tags), case.expected.carried())
        clock = CaseClock(context_base_time(case))
        pipe = self._wiring.build_pipeline(
            config=self.spec.config, settings=self.spec.settings, db_path=":memory:",
            checkpointer="memory", retriever=self.retriever, reasoner=self.spec.reasoner,
            clock=clock, id_prefix=case.id, tools=self._tools(),
            incident_clock=StreamClock())
        seen: list[dict[str, Any]] = []
        if case.followup and pipe.incidents is not None:
            # remediations only dry-run in evals: score the follow-up check on them
            pipe.incidents.verifier.include_dry_run = True
        try:
            for n, ctx in enumerate(case.context):
                try:
                    seen += [d.model_dump(mode="json") for d in
                             pipe.triage(ctx.payload, fmt=ctx.format)]
                except SignalParseError as exc:
                    raise SignalParseError(f"context[{n}].{exc.field}", exc.problem) from None
            pipe.clock = CaseClock(BASE_TIME + timedelta(seconds=len(case.context)))
            started = time.perf_counter()
            try:
                decisions = pipe.triage(case.input.payload, fmt=case.input.format)
            finally:
                result.latency_ms = (time.perf_counter() - started) * 1000.0
            decisions = self._followup(pipe, case, decisions, self.spec.config)
            result.decisions = [d.model_dump(mode="json") for d in decisions]
        except SignalParseError as exc:
            result.error = str(exc)
        except Exception as exc:  # a crash in one case is recorded, the run goes on
            log.exception("case failed", extra={"case_id": case.id})
            result.error = f"{type(exc).__name__}: {exc}"
        everything = seen + result.decisions
        result.llm_tokens = sum(int(d.get("llm_tokens") or 0) for d in everything)
        payloads = [c.payload for c in case.context] + [case.input.payload]
        result.unsafe_actions = count_unsafe(everything, pipe, payloads, self.spec.config)
        return result


    @staticmethod
    def _followup(pipe: Any, case: EvalCase, decisions: list[Any],
                  config: OrgConfig) -> list[Any]:
        """Deliver `followup` after the input, close the check windows, re-read the decisions."""
        incidents = pipe.incidents
        if not case.followup or incidents is None:
            return decisions
        for n, item in enumerate(case.followup):
            try:
                pipe.triage(item.payload, fmt=item.format)
            except SignalParseError as exc:
                raise SignalParseError(f"followup[{n}].{exc.field}", exc.problem) from None
        window = config.incidents.verify_window
        incidents.tick(incidents.clock.now() + window + timedelta(seconds=1))
        return [pipe.store.get_decision(d.signal_id) or d for d in decisions]


def context_base_time(case: EvalCase) -> datetime:
    """Receive clock for the context: context without its own time lands just before the input.

    Context without a timestamp is contemporaneous with the signal it accompanies (CONTRACTS
    §1), so its clock is anchored on the input's own time (one second per context payload
    before it); with an input that has no time of its own it starts at BASE_TIME. The input
    itself is always received at BASE_TIME + one second per context payload.
    """
    from agent.pipeline import parse_signals

    try:
        signals = parse_signals(case.input.payload, case.input.format, received_at=BASE_TIME)
    except SignalParseError:
        return BASE_TIME
    own = [s.timestamp for s in signals if s.timestamp != s.received_at]
    if not own:
        return BASE_TIME
    return min(own) - timedelta(seconds=len(case.context))


_WORKER: CaseRunner | None = None


def _init_worker(spec: RunSpec) -> None:
    global _WORKER
    logging.getLogger().setLevel(logging.WARNING)
    _WORKER = CaseRunner(spec)


def _run_chunk(chunk: list[tuple[int, EvalCase]]) -> list[CaseResult]:
    assert _WORKER is not None
    return [_WORKER.run(i, case) for i, case in chunk]


def _mp_context(spec: RunSpec) -> BaseContext:
    """Fork (workers inherit the imported pipeline) unless a knowledge base was built in this
    process: its client may hold threads and locks, so then workers start clean (spawn)."""
    if spec.kb_dir is None and "fork" in get_all_start_methods():
        import agent.wiring  # noqa: F401  (import once here; forked workers inherit it)

        return get_context("fork")
    return get_context("spawn")


def run_cases(cases: Sequence[EvalCase], spec: RunSpec, jobs: int = 1,
              progress: Progress | None = None) -> list[CaseResult]:
    """Run every case (in `jobs` worker processes when > 1); results in dataset order."""
    tick = progress or (lambda n: None)
    if jobs <= 1 or len(cases) < 2:
        runner = CaseRunner(spec)
        out = []
        for i, case in enumerate(cases):
            out.append(runner.run(i, case))
            tick(1)
        return out
    items = list(enumerate(cases))
    size = max(1, min(16, len(items) // (jobs * 4) or 1))
    chunks = [items[k:k + size] for k in range(0, len(items), size)]
    results: list[CaseResult] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(spec),
                             initializer=_init_worker, initargs=(spec,)) as pool:
        futures = [pool.submit(_run_chunk, chunk) for chunk in chunks]
        for fut in as_completed(futures):
            done = fut.result()
            results.extend(done)
            tick(len(done))
    return sorted(results, key=lambda r: r.index)
