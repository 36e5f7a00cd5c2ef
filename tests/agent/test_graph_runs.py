"""Runs of the real graph on real SQLite checkpoints: what is kept once a run stopped."""

from __future__ import annotations

from pathlib import Path

from agent.config.org import OrgConfig
from agent.graph_runs import GraphRuns
from agent.signals.parse import parse_payload
from agent.wiring import build_pipeline
from tests.support.payloads import am_body


def _stored_signal(pipe, fingerprint: str):
    body = am_body("HighCPU", {"service": "checkout-api", "severity": "critical"}, "CPU 97%",
                   "2026-12-01T09:15:00Z", fingerprint)
    [signal] = parse_payload(body, received_at=pipe.clock(), new_id=pipe.new_id)
    pipe.store.add_signals([signal])
    return signal


def test_a_finished_run_leaves_no_checkpoint_and_nothing_to_finish(demo_config: OrgConfig,
                                                                   tmp_path: Path) -> None:
    pipe = build_pipeline(config=demo_config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    runs = GraphRuns(pipe.graph, pipe.context)
    assert runs.durability == "exit"
    signal = _stored_signal(pipe, "cpu1")
    final, paused = runs.start(signal)
    assert not paused and final["decision"].kind == "alert"
    config = {"configurable": {"thread_id": signal.signal_id}}
    assert list(pipe.graph.checkpointer.list(config)) == []  # pruned: the decision is stored
    assert not runs.finish(signal.signal_id) and not runs.paused(signal.signal_id)


def test_without_a_checkpointer_runs_are_not_durable(demo_config: OrgConfig) -> None:
    pipe = build_pipeline(config=demo_config, checkpointer="none")
    runs = GraphRuns(pipe.graph, pipe.context)
    assert runs.durability is None
    signal = _stored_signal(pipe, "cpu2")
    final, paused = runs.start(signal)
    assert not paused and final["decision"].signal_id == signal.signal_id
    assert not runs.finish(signal.signal_id) and not runs.paused(signal.signal_id)
