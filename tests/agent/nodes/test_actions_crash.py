"""kill -9 between approval and execution, and between execution and recording.

A real subprocess runs the graph and is SIGKILLed from a runtime hook; after restart every
action ran at most once (the fake kubectl's argv log has one line) and the ledger verifies.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.config.org import OrgConfig, Team
from agent.config.sections import ToolsSection
from agent.kernel.db import open_db
from tools.runtime import ToolRuntime

HERE = Path(__file__).resolve().parent


HARNESS = textwrap.dedent('''
    import json, os, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from test_actions_graph import build, cfg, initial, make_world
    from langgraph.types import Command
    tmp, step, crash_at = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx, tools = make_world(tmp)
    def hook(stage, info):
        if stage == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)
    tools.hook = hook
    graph = build(tmp)
    if step == "start":
        graph.invoke(initial(actions=["kubectl_rollout_restart"]), cfg(), context=ctx)
    else:
        graph.invoke(Command(resume={"type": "accept", "approver": "U1"}), cfg(), context=ctx)
    print(json.dumps([a.status for a in ctx.store.get_decision("sig-1").actions]))
''')


def _harness(tmp: Path) -> Path:
    script = tmp / "harness.py"
    script.write_text(HARNESS)
    return script


def _run(script: Path, tmp: Path, step: str, crash_at: str = "-") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), str(HERE), str(tmp), step, crash_at],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("crash_at, final_status", [
    ("approved", "executed"),  # killed after the approval was recorded, before running
    ("executed", "failed"),    # killed after running, before the result was recorded
])
def test_kill_9_never_repeats_a_side_effect(tmp_path: Path, crash_at: str,
                                            final_status: str) -> None:
    script = _harness(tmp_path)
    first = _run(script, tmp_path, "start")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1]) == ["awaiting_approval"]
    crashed = _run(script, tmp_path, "resume", crash_at)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    lines_after_crash = (tmp_path / "argv.log").read_text().splitlines() \
        if (tmp_path / "argv.log").exists() else []
    assert len(lines_after_crash) == (0 if crash_at == "approved" else 1)
    again = _run(script, tmp_path, "resume")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[-1]) == [final_status]
    once_more = _run(script, tmp_path, "resume")  # a third run changes nothing
    assert once_more.returncode == 0, once_more.stderr
    assert (tmp_path / "argv.log").read_text().splitlines() == [
        "kubectl --namespace payments rollout restart deployment/checkout"]
    org = OrgConfig(teams={"payments": Team(approvers=["U1"])})
    tools = ToolRuntime.open(open_db(tmp_path / "triage.db"), ToolsSection(), org)
    ok, why = tools.ledger.verify()
    assert ok, why
    assert len([r for r in tools.ledger.rows() if r.event == "started"]) == 1
    assert tools.unsafe_executions() == 0
