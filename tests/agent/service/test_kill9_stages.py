"""kill -9 at every stage boundary of the served pipeline (issue #12), 20 runs per boundary.

The parent (this test) keeps the Slack Web API stand-in; each "service process" is a fresh
Python interpreter (`kill9_child.py`: a real restart, paying every import) that builds
`create_app` over the durable pipeline of `open_pipeline` (SQLite, checkpoints, knowledge base,
tool runtime) with Slack mounted, posts one alert over the app and is SIGKILLed by the
test-only fault hook (`TRIAGE_TEST_KILL_AT=<point>:<fingerprint>`, agent/kernel/faults.py) as
that point is reached for that alert. The next child recovers the killed one's run on start and
is killed on the next alert. Besides the graph's stage boundaries, the Slack card's two: after
its post is claimed and after it was posted, before that is recorded. Counted afterwards, from
the stores and the stand-in: lost signals, duplicate decisions, actions run twice or never (the
tool ledger), Slack posts twice or never, and the time from the restarted process's start
until the killed alert's run is complete (printed per kill point with the start-up steps).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agent.graph import FAULT_POINTS
from agent.kernel.packing import stored_json
from agent.slack.notify import FAULT_POINTS as SLACK_POINTS
from tests.support.payloads import am_body
from tests.support.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parents[3]
RUNS = int(os.environ.get("TRIAGE_KILL_RUNS", "20"))
START_BOUND_S = 20.0  # recovery from process start (quiet box: under 5 s at every point)


def _body(i: int) -> dict[str, Any]:
    """The i-th alert: five hours after the previous one, so each is notified on its own
    (past the group's repeat interval) and every run goes through `act`."""
    hours = 5 * i
    return am_body("HighCPU", {"service": "checkout-api", "severity": "critical",
                               "instance": f"checkout-api-{i}"},
                   f"CPU at 97% for 5 minutes on checkout-api-{i}",
                   f"2026-12-{1 + hours // 24:02d}T{hours % 24:02d}:00:00Z", f"kill{i:03d}")


def _spawn(home: Path, slack_url: str, kill: str | None,
           body: dict[str, Any] | None) -> tuple[subprocess.Popen[bytes], float]:
    """Start one service process; also the monotonic time it was started at."""
    (home / "marks").unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.agent.service.kill9_child", str(home), slack_url,
         kill or "-", json.dumps(body) if body is not None else "-"], cwd=ROOT)
    return proc, started


def _settled(db: Path, fingerprint: str) -> bool:
    """The alert's run is complete: decided, acted on, its claim done."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return False
    try:
        row = conn.execute(
            "SELECT d.body FROM signals s JOIN decisions d ON d.signal_id = s.signal_id "
            "JOIN service_claims c ON c.signal_id = s.signal_id "
            "WHERE s.fingerprint = ? AND c.state = 'done'", (fingerprint,)).fetchone()
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()
    return bool(row) and all(a["status"] != "proposed" for a in
                             stored_json(row[0]).get("actions", []))


def _wait(proc: subprocess.Popen[bytes], started: float, home: Path,
          recovering: str | None) -> tuple[int, dict[str, float] | None]:
    """Wait for the process; also, when it recovered `recovering`, the seconds from its start
    to each start-up step it marked and to the recovered run being complete (`settled`)."""
    settled = None
    db = home / "triage.db"
    while True:
        code = proc.poll()
        if recovering and settled is None and _settled(db, recovering):
            settled = time.monotonic()
        if code is not None:
            break
        time.sleep(0.02)
    if settled is None:
        return code, None
    steps = {name: float(at) - started for name, at in
             (line.split() for line in (home / "marks").read_text().splitlines())}
    return code, {**steps, "settled": settled - started}


def _summary(point: str, runs: list[dict[str, float]]) -> str:
    """One line per kill point: recovery from process start, and the start-up steps."""
    def med(name: str) -> float:
        values = sorted(r[name] for r in runs if name in r)
        return values[len(values) // 2] if values else float("nan")

    total = sorted(r["settled"] for r in runs)
    after = sorted(r["settled"] - r.get("started", 0.0) for r in runs)
    return (f"kill -9 at {point}: {RUNS} runs, 0 lost/duplicate; recovery from process start "
            f"max {total[-1]:.2f}s median {med('settled'):.2f}s (median steps: imported "
            f"{med('imported'):.2f}s, built {med('built'):.2f}s, worker started "
            f"{med('started'):.2f}s); after the worker started max {after[-1]:.2f}s")


@pytest.mark.slow
@pytest.mark.parametrize("point", [*FAULT_POINTS, *SLACK_POINTS])
def test_kill_9_at_a_stage_boundary_loses_and_repeats_nothing(tmp_path: Path,
                                                              point: str) -> None:
    home = tmp_path / "home"
    slack = SlackApiStandIn().start()
    slack.add_channel("payments-oncall")  # the team channel (its card history is looked up)
    try:
        pid = os.fork()
        if pid == 0:  # the knowledge base, built once in a process of its own
            code = 0
            try:
                from agent.config.loader import load_config
                from agent.config.settings import Settings
                from agent.wiring import open_kb

                settings = Settings(_env_file=None, TRIAGE_HOME=str(home))
                config = load_config(ROOT / "agent" / "demo" / "config.yaml")
                open_kb(settings, config).ingest_path(ROOT / "knowledge" / "corpus" / "runbooks")
            except BaseException:  # noqa: BLE001
                code = 3
            os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        db = home / "triage.db"
        runs: list[dict[str, float]] = []  # seconds from each restarted process's start
        for i in range(RUNS + 1):
            fingerprint = f"kill{i:03d}"
            last = i == RUNS
            kill = None if last else f"{point}:{fingerprint}"
            proc, started = _spawn(home, slack.base_url, kill, None if last else _body(i))
            code, steps = _wait(proc, started, home, f"kill{i - 1:03d}" if i else None)
            if last:
                assert code == 0, code
            else:
                assert code == -signal.SIGKILL, f"run {i} was not killed at {point}: {code}"
            if i:
                assert steps is not None, f"run {i - 1} not recovered by run {i}"
                runs.append(steps)
        _assert_exactly_once(db, slack)
        print("\n" + _summary(point, runs))
        # from the restarted service being built (as before), and from the process start with
        # headroom for a loaded shared 2-core box (measured figures: docs/deploy.md)
        assert max(r["settled"] - r["built"] for r in runs) < 10.0, runs
        assert max(r["settled"] for r in runs) < START_BOUND_S, runs
    finally:
        slack.stop()


def _assert_exactly_once(db: Path, slack: SlackApiStandIn) -> None:
    conn = sqlite3.connect(str(db))
    signals = conn.execute("SELECT fingerprint, signal_id FROM signals").fetchall()
    assert sorted(fp for fp, _ in signals) == [f"kill{i:03d}" for i in range(RUNS)]  # none lost
    ids = [sid for _, sid in signals]
    decisions = dict(conn.execute("SELECT signal_id, body FROM decisions").fetchall())
    assert sorted(decisions) == sorted(ids)  # one decision each (signal_id is its key)
    started = conn.execute("SELECT signal_id, tool, COUNT(*) FROM tool_ledger "
                           "WHERE event = 'started' GROUP BY signal_id, tool").fetchall()
    assert all(n == 1 for _, _, n in started), started  # no action ran twice
    ran = {(sid, tool) for sid, tool, _ in started}
    requested = conn.execute("SELECT signal_id, tool, COUNT(*) FROM tool_ledger "
                             "WHERE event = 'approval_requested' GROUP BY signal_id, tool"
                             ).fetchall()
    assert all(n == 1 for _, _, n in requested), requested  # no approval asked twice
    for sid in ids:
        actions = stored_json(decisions[sid])["actions"]
        assert actions, sid
        for action in actions:  # nothing left half done, nothing executed but unrecorded
            assert action["status"] != "proposed", (sid, action)
            if action["status"] == "executed":
                assert (sid, action["tool"]) in ran, (sid, action)
        assert any(a["status"] == "executed" for a in actions), (sid, actions)
    posts = slack.calls("chat.postMessage")
    per_signal = {sid: sum(f"/triage why {sid}" in p.blocks_text() for p in posts)
                  for sid in ids}
    assert set(per_signal.values()) == {1}, per_signal  # one card per alert, none missing
    assert conn.execute("SELECT COUNT(*) FROM service_claims WHERE state != 'done'"
                        ).fetchone() == (0,)
