"""Write a checkpoint of a run paused on an approval, with the graph of the current checkout.

Used once to make `tests/agent/fixtures/paused-approval/` with the graph as it was before the
graph refactor (issue 10, step 4), so `tests/agent/test_checkpoint_compat.py` can check that a
run paused by the old graph resumes under the new one. Rerun only to regenerate the fixture:

    .venv/bin/python tests/support/paused_checkpoint.py tests/agent/fixtures/paused-approval
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from agent.config.org import OrgConfig

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
RUNBOOK = """---
title: Checkout pods crash looping
alerts: [CheckoutPodsCrashLooping]
services: [checkout-api]
actions:
  - kubectl_rollout_restart
---
# Checkout pods crash looping

Restart the checkout deployment.
"""


def org(bin_path: str = "/nonexistent") -> OrgConfig:
    """The organisation the fixture was written with (bin_path is set at resume time)."""
    return OrgConfig.model_validate({
        "services": {"checkout-api": {"team": "payments", "tier": 1, "customer_facing": True}},
        "teams": {"payments": {"approvers": ["U1"]}},
        "tools": {"bin_path": f"{bin_path}:/usr/bin:/bin"},
        "targets": {"services": {"checkout-api": {"kubernetes": [
            {"namespace": "payments", "name": "checkout"}]}}}})


def alert() -> dict:
    """The Alertmanager body whose runbook proposes the risky rollout restart."""
    labels = {"alertname": "CheckoutPodsCrashLooping", "severity": "critical",
              "service": "checkout-api", "namespace": "payments", "deployment": "checkout"}
    item = {"status": "firing", "startsAt": "2026-11-28T02:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "crash1", "labels": labels,
            "annotations": {"summary": "checkout pods are crash looping"}}
    return {"version": "4", "status": "firing", "receiver": "triage", "alerts": [item],
            "groupLabels": {}, "commonLabels": labels, "commonAnnotations": {},
            "externalURL": "http://am", "groupKey": "{}:{}", "truncatedAlerts": 0}


def _settle(path: Path) -> None:
    """Fold the WAL into the database file so the fixture is one self-contained file."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def write(out: Path) -> str:
    """Run the alert until it pauses on the approval; returns the signal id."""
    from agent.wiring import build_pipeline, open_kb_at
    from tools.runtime import ToolRuntime

    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.db*"):
        stale.unlink()
    config = org()
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "kb" / "k8s"
        docs.mkdir(parents=True)
        (docs / "CheckoutPodsCrashLooping.md").write_text(RUNBOOK, encoding="utf-8")
        kb = open_kb_at(Path(tmp) / "home", config)
        kb.ingest_path(Path(tmp) / "kb", kind="runbook")
        tools = ToolRuntime.open(out / "triage.db", config.tools, config, clock=lambda: T0)
        pipe = build_pipeline(config=config, db_path=out / "triage.db", checkpointer="sqlite",
                              retriever=kb, tools=tools, clock=lambda: T0)
        (decision,) = pipe.triage(alert(), "alertmanager")
        statuses = [(a.tool, a.status) for a in decision.actions]
        assert statuses == [("kubectl_rollout_restart", "awaiting_approval")], statuses
    return decision.signal_id


if __name__ == "__main__":
    import gc

    target = Path(sys.argv[1])
    print(write(target))
    gc.collect()  # every connection of the run is closed before the files are settled
    for name in ("triage.db", "checkpoints.db"):
        _settle(target / name)
