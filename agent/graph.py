"""The triage graph, stated as its flow:

    normalize → noise_gate → retrieve → classify → decide ─┬─ quiet ──────────────→ record → END
                                                           └─ plan_actions → record → act → END

Quiet decisions (duplicates, suppressed signals, events, requests) never plan or run actions.

`agent/studio.py:graph` is the graph `langgraph.json` exports to LangGraph Studio / `langgraph
dev`: it takes a payload and builds its own context from settings.
The CLI and the service run `graph_with(checkpointer)` with an injected TriageContext.
"""

from __future__ import annotations

import functools
import sqlite3
import zlib
from functools import lru_cache
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.context import TriageContext
from agent.kernel.faults import FAULT_ENV, fault_at  # noqa: F401 - FAULT_ENV re-exported
from agent.kernel.signal import Signal
from agent.nodes.actions import ACTIONABLE, act, plan_actions
from agent.nodes.classify import classify
from agent.nodes.decide import decide
from agent.nodes.noise_gate import noise_gate
from agent.nodes.normalize import normalize
from agent.nodes.record import record
from agent.nodes.retrieve import retrieve
from agent.state import InputState, TriageState
from agent.telemetry import traced_stage

_STATE_TYPES: list[tuple[str, str]] = [
    ("agent.kernel.signal", "Signal"), ("agent.kernel.signal", "MetricSample"),
    ("agent.noise.types", "NoiseOutcome"), ("agent.reasoning.types", "Judgement"),
    ("agent.kernel.decision", "Decision"), ("agent.kernel.decision", "Noise"),
    ("agent.kernel.decision", "DocRef"), ("agent.kernel.decision", "ActionRef"),
    ("knowledge.types", "DocHit"), ("knowledge.types", "CaseHit"),
    ("agent.state", "TriageState"), ("agent.state", "InputState"),
]
# Checkpoints written before the kernel move name the old modules (kept as re-export shims).
_LEGACY_PATHS = {"agent.kernel.signal": "agent.signals.model",
                 "agent.kernel.decision": "agent.decision"}
# Types the checkpointer may revive from a checkpoint (deny everything else).
CHECKPOINT_TYPES: list[tuple[str, str]] = _STATE_TYPES + [
    (_LEGACY_PATHS[m], n) for m, n in _STATE_TYPES if m in _LEGACY_PATHS]
STAGES = ["normalize", "noise_gate", "retrieve", "classify", "decide", "plan_actions", "record",
          "act"]
# Test-only fault hook (docs/testing.md): TRIAGE_TEST_KILL_AT=<point>:<fingerprint> makes this
# process SIGKILL itself as <point> is reached for the signal with that fingerprint: a stage
# name (just before the stage runs, after the checkpoint of the previous one) or "decided"
# (the run is over, before the caller reports it). Unset, it costs one environment lookup.
FAULT_POINTS = [*STAGES, "decided"]


def fault_point(point: str, signal: Signal | None) -> None:
    """SIGKILL this process at `point` for the signal `TRIAGE_TEST_KILL_AT` names (tests)."""
    fault_at(point, signal.fingerprint if signal is not None else None)


def _faulty(name: str, fn):  # type: ignore[no-untyped-def]
    """`fn` (a node) preceded by the test-only fault point of its stage."""

    @functools.wraps(fn)
    def node(state: TriageState, runtime):  # type: ignore[no-untyped-def]
        fault_point(name, state.signal)
        return fn(state, runtime)

    return node


class ZlibCodec:
    """Compresses checkpoint blobs through LangGraph's serializer layering (`EncryptedSerializer`
    takes any codec): blobs are stored as type `msgpack+zlib`, and blobs written without it
    (type `msgpack`, older checkpoints) still load."""

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        """Compress a serialized blob."""
        return "zlib", zlib.compress(plaintext, 6)  # 5 % smaller than level 1, +30 us a blob

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        """Decompress a blob written by `encrypt`."""
        if ciphername != "zlib":
            raise ValueError(f"unknown checkpoint codec {ciphername!r}")
        return zlib.decompress(ciphertext)


def serializer() -> EncryptedSerializer:
    """The checkpoint serializer: restricted to the project's own state types, compressed (the
    graph state of a paused run is ~100 KB of msgpack and ~8 KB compressed)."""
    return EncryptedSerializer(ZlibCodec(), JsonPlusSerializer(
        allowed_msgpack_modules=CHECKPOINT_TYPES))


def sqlite_checkpointer(path: str | Path) -> SqliteSaver:
    """A SQLite checkpointer at `path` (pending approvals survive restarts)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    # A compressed checkpoint is ~2.7 KB: on 4 KB pages each takes a page of its own, on 2 KB
    # pages a page and a part of another (issue #12 storage). Only a new file takes the size.
    conn.execute("PRAGMA page_size = 2048")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # as open_db: no fsync per step (4x faster)
    return SqliteSaver(conn, serde=serializer())


def memory_checkpointer() -> InMemorySaver:
    """An in-memory checkpointer (evals, tests)."""
    return InMemorySaver(serde=serializer())


def settle_thread(saver: BaseCheckpointSaver | None, thread_id: str, *, paused: bool) -> None:
    """Prune a run's checkpoints once it stopped (issue #12: ~11 full states per signal).

    A finished run keeps none: its outcome is the stored decision, and a crash before this call
    only leaves history behind. A run paused on an approval keeps its latest checkpoint and that
    checkpoint's pending writes (the interrupt), which is all `Command(resume=...)` reads.
    """
    if saver is None:
        return
    if not paused:
        saver.delete_thread(thread_id)
    elif isinstance(saver, SqliteSaver):
        with saver.cursor() as cur:
            row = cur.execute("SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
                              "AND checkpoint_ns = ''", (thread_id,)).fetchone()
            if row and row[0]:
                for table in ("checkpoints", "writes"):
                    cur.execute(f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = '' "
                                "AND checkpoint_id <> ?", (thread_id, row[0]))
    elif isinstance(saver, InMemorySaver):
        history = saver.storage.get(thread_id, {}).get("", {})
        if history:
            latest = max(history)
            for checkpoint_id in [c for c in history if c != latest]:
                del history[checkpoint_id]
                saver.writes.pop((thread_id, "", checkpoint_id), None)


NODES = [normalize, noise_gate, retrieve, classify, decide, plan_actions, record, act]


def after_decide(state: TriageState) -> str:
    """Alerts and incidents that are neither duplicates nor suppressed plan actions; the rest
    (quiet decisions) go straight to `record`."""
    decision = state.decision
    if decision is None or decision.kind not in ACTIONABLE:
        return "record"
    if decision.noise.duplicate_of or decision.noise.suppressed_by:
        return "record"
    return "plan_actions"


def after_record(state: TriageState) -> str:
    """Only a decision with proposed actions reaches `act`."""
    return "act" if state.decision is not None and state.decision.actions else END


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """Build and compile the triage graph with the given checkpointer."""
    builder = StateGraph(TriageState, input_schema=InputState, context_schema=TriageContext)
    for name, fn in zip(STAGES, NODES, strict=True):
        builder.add_node(name, traced_stage(name, _faulty(name, fn)))
    builder.add_edge(START, "normalize")
    for a, b in (("normalize", "noise_gate"), ("noise_gate", "retrieve"),
                 ("retrieve", "classify"), ("classify", "decide"), ("plan_actions", "record"),
                 ("act", END)):
        builder.add_edge(a, b)
    builder.add_conditional_edges("decide", after_decide, ["plan_actions", "record"])
    builder.add_conditional_edges("record", after_record, ["act", END])
    return builder.compile(checkpointer=checkpointer, name="triage")


@lru_cache(maxsize=1)
def _uncheckpointed() -> CompiledStateGraph:
    return build_graph()


def graph_with(checkpointer: BaseCheckpointSaver | None) -> CompiledStateGraph:
    """The compiled graph bound to a checkpointer, compiling the node wiring only once."""
    base = _uncheckpointed()
    return base if checkpointer is None else base.copy(update={"checkpointer": checkpointer})
