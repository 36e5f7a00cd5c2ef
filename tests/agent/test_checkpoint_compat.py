"""A run paused on an approval by the graph before the refactor resumes under today's graph.

The fixture (tests/agent/fixtures/paused-approval) was written by
tests/support/paused_checkpoint.py with the graph as it stood before issue 10's step 4.
"""

from __future__ import annotations

import shutil
import stat
from datetime import timedelta
from pathlib import Path

from tests.support.paused_checkpoint import T0, org

FIXTURE = Path(__file__).parent / "fixtures" / "paused-approval"


def _fake_kubectl(tmp: Path) -> tuple[Path, Path]:
    bindir, log = tmp / "bin", tmp / "argv.log"
    bindir.mkdir()
    fake = bindir / "kubectl"
    fake.write_text(f'#!/bin/sh\necho "kubectl $*" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return bindir, log


def test_old_paused_run_resumes_under_the_new_graph(tmp_path: Path) -> None:
    from agent.wiring import build_pipeline
    from tools.runtime import ToolRuntime

    for name in ("triage.db", "checkpoints.db"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    bindir, log = _fake_kubectl(tmp_path)
    config = org(str(bindir))
    later = T0 + timedelta(minutes=5)
    tools = ToolRuntime.open(tmp_path / "triage.db", config.tools, config, clock=lambda: later)
    pipe = build_pipeline(config=config, db_path=tmp_path / "triage.db", checkpointer="sqlite",
                          tools=tools, clock=lambda: later)
    (pending,) = pipe.pending_approvals()
    assert pipe.decision(pending.signal_id).actions[0].status == "awaiting_approval"
    outcome = pipe.resume_approval(pending.id, "U1", accept=True)
    assert outcome.ok and outcome.resumed, outcome.message
    assert [(a.tool, a.status) for a in outcome.decision.actions] == [
        ("kubectl_rollout_restart", "executed")]
    assert log.read_text().splitlines() == [
        "kubectl --namespace payments rollout restart deployment/checkout"]
    assert pipe.decision(pending.signal_id) == outcome.decision
    snapshot = pipe.graph.get_state({"configurable": {"thread_id": pending.signal_id}})
    assert not snapshot.next and not snapshot.interrupts
    ok, _ = tools.ledger.verify()
    assert ok and tools.unsafe_executions() == 0
