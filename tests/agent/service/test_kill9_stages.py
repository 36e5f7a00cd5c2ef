"""kill -9 at every stage boundary of the served pipeline (issue #12), 20 runs per boundary.

The parent (this test) keeps the Slack Web API stand-in; each "service process" is a real child
process (forked from the parent before any database, model or thread of its own is opened)
that builds `create_app` over the durable pipeline of `open_pipeline` (SQLite, checkpoints,
knowledge base, tool runtime) with Slack mounted, posts one alert over the app and is SIGKILLed
by the test-only fault hook (`TRIAGE_TEST_KILL_AT=<point>:<fingerprint>`, agent/graph.py) as
that point is reached for that alert. The next child recovers the killed one's run on start and
is killed on the next alert. Besides the graph's stage boundaries, the Slack card's two: after
its post is claimed and after it was posted, before that is recorded. Counted afterwards, from
the stores and the stand-in: lost signals, duplicate decisions, actions run twice or never (the
tool ledger), Slack posts twice or never, and the time from a restart until the killed alert's
run is complete.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from agent.graph import FAULT_ENV, FAULT_POINTS
from agent.slack.notify import FAULT_POINTS as SLACK_POINTS
from tests.support.payloads import am_body
from tests.support.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parents[3]
RUNS = int(os.environ.get("TRIAGE_KILL_RUNS", "20"))
TOKEN = "kill9-service-token-0123456789"
BOT_TOKEN = "xoxb-1234-5678-kill9-bot-token"
SECRET = "kill9-signing-secret-0123456789"


def _body(i: int) -> dict[str, Any]:
    """The i-th alert: five hours after the previous one, so each is notified on its own
    (past the group's repeat interval) and every run goes through `act`."""
    hours = 5 * i
    return am_body("HighCPU", {"service": "checkout-api", "severity": "critical",
                               "instance": f"checkout-api-{i}"},
                   f"CPU at 97% for 5 minutes on checkout-api-{i}",
                   f"2026-12-{1 + hours // 24:02d}T{hours % 24:02d}:00:00Z", f"kill{i:03d}")


def _child(home: Path, slack_url: str, kill: str | None, body: dict[str, Any] | None) -> None:
    """One service process: start (recovering what a killed one left), post one alert, finish."""
    code = 0
    try:
        if kill:
            os.environ[FAULT_ENV] = kill
        from fastapi.testclient import TestClient

        from agent.config.loader import load_config
        from agent.config.settings import Settings
        from agent.service import ServiceOptions, create_app
        from agent.wiring import open_pipeline

        settings = Settings(_env_file=None, TRIAGE_HOME=str(home), TRIAGE_WEBHOOK_TOKEN=TOKEN,
                            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                            TRIAGE_SLACK_API_URL=slack_url)
        config = load_config(ROOT / "agent" / "demo" / "config.yaml")
        app = create_app(settings, config, open_pipeline(settings, config),
                         options=ServiceOptions(scan_interval_s=0.5, orphan_grace_s=0.0))
        # built (stores, knowledge base, tools, Slack): the service now starts its worker
        (home / "ready").write_text(repr(time.monotonic()))
        with TestClient(app) as client:
            if body is not None:
                r = client.post("/v1/webhooks/alertmanager", json=body,
                                headers={"Authorization": f"Bearer {TOKEN}"})
                assert r.status_code == 202, r.text
            service = app.state.service
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (service.worker.backlog
                                                   or service.claims.undecided()):
                time.sleep(0.05)
    except BaseException:  # noqa: BLE001 - report and leave with a failure code
        import traceback

        traceback.print_exc()
        code = 3
    os._exit(code)


def _fork(home: Path, slack_url: str, kill: str | None, body: dict[str, Any] | None) -> int:
    pid = os.fork()
    if pid == 0:
        _child(home, slack_url, kill, body)
    return pid


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
                             json.loads(row[0]).get("actions", []))


def _wait(pid: int, home: Path, recovering: str | None
          ) -> tuple[int, float | None, float | None]:
    """Wait for the child; also the seconds from its start, and from its service being built,
    until the alert it recovers was settled."""
    started, recovered = time.monotonic(), None
    db = home / "triage.db"
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if recovering and recovered is None and _settled(db, recovering):
            recovered = time.monotonic()
        if done:
            break
        time.sleep(0.02)
    if recovered is None:
        return status, None, None
    ready = float((home / "ready").read_text())
    return status, recovered - started, max(0.0, recovered - ready)


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
        recoveries: list[float] = []  # from the restarted service being built
        restarts: list[float] = []  # from the new process starting (includes building it)
        for i in range(RUNS + 1):
            fingerprint = f"kill{i:03d}"
            last = i == RUNS
            kill = None if last else f"{point}:{fingerprint}"
            pid = _fork(home, slack.base_url, kill, None if last else _body(i))
            (home / "ready").unlink(missing_ok=True)
            status, restart, recovered = _wait(pid, home, f"kill{i - 1:03d}" if i else None)
            if last:
                assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
            else:
                assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                    f"run {i} was not killed at {point}: status {status}")
            if i:
                assert recovered is not None, f"run {i - 1} not recovered by run {i}"
                recoveries.append(recovered)
                restarts.append(restart)
        _assert_exactly_once(db, slack)
        print(f"\nkill -9 at {point}: {RUNS} runs, 0 lost/duplicate; recovery after the "
              f"restarted service was built max {max(recoveries):.2f}s (median "
              f"{sorted(recoveries)[len(recoveries) // 2]:.2f}s); from process start max "
              f"{max(restarts):.2f}s")
        assert max(recoveries) < 10.0, recoveries
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
        actions = json.loads(decisions[sid])["actions"]
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
