"""Bounded storage (issue #12): a finished run leaves no checkpoints, a paused one only what its
resume reads, and a delivery body is stored once however many alerts it carries."""

from __future__ import annotations

import copy
import sqlite3
import stat
from pathlib import Path

from agent.kernel.packing import unpack
from agent.store.payloads import unpack_json
from tests.support.paused_checkpoint import RUNBOOK, T0, alert, org


def _rows(db: Path, thread_id: str) -> tuple[int, int]:
    conn = sqlite3.connect(str(db))
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {table} WHERE thread_id = ?",
                                  (thread_id,)).fetchone()[0]
                     for table in ("checkpoints", "writes"))  # type: ignore[return-value]
    finally:
        conn.close()


def _pipeline(tmp: Path):
    from agent.wiring import build_pipeline, open_kb_at
    from tools.runtime import ToolRuntime

    bindir, log = tmp / "bin", tmp / "argv.log"
    bindir.mkdir()
    fake = bindir / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "kubectl $*" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    config = org(str(bindir))
    docs = tmp / "kb" / "k8s"
    docs.mkdir(parents=True)
    (docs / "CheckoutPodsCrashLooping.md").write_text(RUNBOOK, encoding="utf-8")
    kb = open_kb_at(tmp / "home", config)
    kb.ingest_path(tmp / "kb", kind="runbook")
    tools = ToolRuntime.open(tmp / "triage.db", config.tools, config, clock=lambda: T0)
    return build_pipeline(config=config, db_path=tmp / "triage.db", checkpointer="sqlite",
                          retriever=kb, tools=tools, clock=lambda: T0), log


def test_paused_run_keeps_one_checkpoint_and_a_finished_run_none(tmp_path: Path) -> None:
    pipe, log = _pipeline(tmp_path)
    checkpoints = tmp_path / "checkpoints.db"
    (paused,) = pipe.triage(alert(), "alertmanager")
    assert [a.status for a in paused.actions] == ["awaiting_approval"]
    # eight stages ran, yet only the latest checkpoint and its pending writes stay
    assert _rows(checkpoints, paused.signal_id)[0] == 1
    config = {"configurable": {"thread_id": paused.signal_id}}
    assert pipe.graph.get_state(config).interrupts  # still resumable
    (pending,) = pipe.pending_approvals()
    outcome = pipe.resume_approval(pending.id, "U1", accept=True)
    assert outcome.ok and outcome.resumed, outcome.message
    assert [a.status for a in outcome.decision.actions] == ["executed"]
    assert log.read_text().count("rollout restart") == 1
    assert _rows(checkpoints, paused.signal_id) == (0, 0)  # finished: nothing left
    quiet = copy.deepcopy(alert())
    quiet["alerts"][0]["status"] = "resolved"
    quiet["alerts"][0]["endsAt"] = "2026-11-28T02:30:00Z"
    (resolved,) = pipe.triage(quiet, "alertmanager")
    assert resolved.kind == "event"
    assert _rows(checkpoints, resolved.signal_id) == (0, 0)
    assert pipe.decision(resolved.signal_id) == resolved


def test_a_many_alert_body_is_stored_once(tmp_path: Path) -> None:
    from agent.wiring import build_pipeline

    pipe = build_pipeline(config=org(), db_path=tmp_path / "triage.db", checkpointer="sqlite")
    body = alert()
    body["message"] = "rendered alert list " * 2000  # a 40 KB envelope field (Grafana-style)
    first = body["alerts"][0]
    body["alerts"] = [{**copy.deepcopy(first), "fingerprint": f"f{i}",
                       "labels": {**first["labels"], "pod": f"checkout-{i}"}} for i in range(20)]
    received = copy.deepcopy(body)
    accepted = pipe.accept(body, "alertmanager")
    assert len(accepted.signal_ids) == 20
    conn = sqlite3.connect(str(tmp_path / "triage.db"))
    payloads = [unpack_json(b) for (b,) in conn.execute("SELECT body FROM payloads")]
    rows = [unpack(b) for (b,) in conn.execute("SELECT body FROM signals")]
    in_signals = sum("rendered alert list" in text for text in rows)
    assert [p["message"] for p in payloads] == [received["message"]] and in_signals == 0
    stored_payload = conn.execute("SELECT SUM(length(body)) FROM payloads").fetchone()[0]
    assert stored_payload < len(received["message"]) / 10  # compressed: it repeats itself
    stored = sum(len(text) for text in rows)  # as JSON text, before packing
    assert stored < len(received["message"])  # all 20 rows together: less than one envelope
    for index, signal_id in enumerate(accepted.signal_ids):
        signal = pipe.store.get_signal(signal_id)
        assert signal is not None and signal.raw == received["alerts"][index]
        assert pipe.store.payload(signal_id) == received
    decisions = [pipe.decide(i) for i in accepted.signal_ids]
    assert len({d.fingerprint for d in decisions}) == 20


def test_new_checkpoint_files_use_2k_pages_and_older_files_open(tmp_path: Path) -> None:
    from agent.graph import sqlite_checkpointer

    saver = sqlite_checkpointer(tmp_path / "new.db")
    assert saver.conn.execute("PRAGMA page_size").fetchone()[0] == 2048
    old = sqlite3.connect(str(tmp_path / "old.db"))
    old.execute("CREATE TABLE t (x)")  # a file made with the default 4 KB pages
    old.close()
    saver = sqlite_checkpointer(tmp_path / "old.db")
    saver.setup()
    assert saver.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert list(saver.list(None)) == []


class _Killed(BaseException):
    """Stands in for SIGKILL at a stage boundary (escapes every `except Exception`)."""


def test_a_run_killed_between_record_and_act_starts_over_and_asks_once(
        tmp_path: Path, monkeypatch) -> None:
    """A run writes a checkpoint only where it stops, so a kill after `record` leaves the
    stored decision (actions still `proposed`) and no checkpoint; the next `decide` runs the
    signal again and its action is asked for once."""
    import agent.graph

    pipe, log = _pipeline(tmp_path)
    (signal_id,) = pipe.accept(alert(), "alertmanager").signal_ids

    def kill(point: str, fingerprint: str | None) -> None:
        if point == "act":
            raise _Killed

    monkeypatch.setattr(agent.graph, "fault_at", kill)
    try:
        pipe.decide(signal_id)
    except _Killed:
        pass
    else:
        raise AssertionError("the run was not killed")
    monkeypatch.undo()
    pipe.graph.checkpointer.delete_thread(signal_id)  # a SIGKILL wrote nothing since the start
    stored = pipe.decision(signal_id)
    assert [a.status for a in stored.actions] == ["proposed"]  # `record` ran, `act` did not
    assert _rows(tmp_path / "checkpoints.db", signal_id) == (0, 0)

    again, _ = _pipeline_again(tmp_path)
    decided = again.decide(signal_id)
    assert [a.status for a in decided.actions] == ["awaiting_approval"]
    assert len(again.pending_approvals(signal_id)) == 1
    assert again.decide(signal_id).actions == decided.actions  # settled: not run a third time
    assert len(again.pending_approvals(signal_id)) == 1 and not log.exists()


def _pipeline_again(tmp: Path):
    """A second pipeline (the restarted process) over the stores `_pipeline` made in tmp."""
    from agent.wiring import build_pipeline, open_kb_at
    from tools.runtime import ToolRuntime

    config = org(str(tmp / "bin"))
    kb = open_kb_at(tmp / "home", config)
    tools = ToolRuntime.open(tmp / "triage.db", config.tools, config, clock=lambda: T0)
    return build_pipeline(config=config, db_path=tmp / "triage.db", checkpointer="sqlite",
                          retriever=kb, tools=tools, clock=lambda: T0), tmp / "argv.log"
