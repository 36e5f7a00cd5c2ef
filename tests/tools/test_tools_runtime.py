"""ToolRuntime end to end on real targets: policy, approvals, idempotency, limits, ledger."""

from __future__ import annotations

from pathlib import Path

from tools.runtime import ActionContext, ToolRuntime

CTX = ActionContext(scope="sig-1", group_id="g1", service="checkout-api", team="payments")


def test_unregistered_tool_is_refused_and_audited(runtime: ToolRuntime) -> None:
    res = runtime.call("rm_rf", {"path": "/"}, CTX)
    assert res.status == "refused" and "not a registered tool" in (res.error or "")
    rows = runtime.ledger.rows()
    assert [r.event for r in rows] == ["refused"]
    assert runtime.ledger.verify()[0]


def test_risky_needs_approval_then_runs_once(runtime: ToolRuntime, fake_bin, argv_of) -> None:
    _, log = fake_bin
    first = runtime.call("systemd_restart", {"unit": "checkout.service"}, CTX)
    assert first.status == "approval_required"
    assert first.data["action_request"] == {"action": "systemd_restart",
                                            "args": {"unit": "checkout.service"}}
    assert argv_of(log) == []
    runtime.decide(first.approval_id, "U1", accept=True)
    done = runtime.call("systemd_restart", {"unit": "checkout.service"}, CTX)
    assert done.status == "success", done
    again = runtime.call("systemd_restart", {"unit": "checkout.service"}, CTX)
    assert again.status == "success"
    assert argv_of(log) == ["systemctl restart -- checkout.service"]
    events = [r.event for r in runtime.ledger.rows()]
    assert events == ["approval_requested", "approved", "started", "result"]
    assert runtime.ledger.verify()[0]
    assert runtime.unsafe_executions() == 0


def test_non_approver_and_empty_team_cannot_approve(runtime: ToolRuntime, fake_bin,
                                                    argv_of) -> None:
    import pytest

    from tools.approvals import ApprovalError

    res = runtime.call("systemd_restart", {"unit": "a.service"}, CTX)
    with pytest.raises(ApprovalError):
        runtime.decide(res.approval_id, "intruder", accept=True)
    nobody = ActionContext(scope="sig-2", service="reporting", team="data")
    refused = runtime.call("systemd_restart", {"unit": "a.service"}, nobody)
    assert refused.status == "refused" and "no approvers" in refused.error
    assert argv_of(fake_bin[1]) == []


def test_approval_expires_and_approver_removal_invalidates(runtime: ToolRuntime, clock, org,
                                                           fake_bin, argv_of) -> None:
    res = runtime.call("systemd_restart", {"unit": "a.service"}, CTX)
    runtime.decide(res.approval_id, "U2", accept=True)
    org.teams["payments"].approvers.remove("U2")
    assert "no longer an approver" in runtime.call("systemd_restart", {"unit": "a.service"},
                                                   CTX).error
    org.teams["payments"].approvers.append("U2")
    clock.advance(hours=2)
    assert "expired" in runtime.call("systemd_restart", {"unit": "a.service"}, CTX).error
    assert argv_of(fake_bin[1]) == []


def test_rejection_refuses(runtime: ToolRuntime, fake_bin, argv_of) -> None:
    res = runtime.call("kubectl_scale", {"namespace": "pay", "name": "api", "replicas": 0}, CTX)
    runtime.decide(res.approval_id, "U1", accept=False, reason="no")
    after = runtime.call("kubectl_scale", {"namespace": "pay", "name": "api", "replicas": 0},
                         CTX)
    assert after.status == "refused" and "rejected" in after.error
    assert argv_of(fake_bin[1]) == []


def test_rate_limit_three_restarts_per_hour(runtime: ToolRuntime, clock, fake_bin, argv_of) -> None:
    statuses = []
    for i in range(4):
        ctx = ActionContext(scope=f"sig-{i}", service="checkout-api", team="payments")
        req = runtime.call("systemd_restart", {"unit": "checkout.service"}, ctx)
        runtime.decide(req.approval_id, "U1", accept=True)
        statuses.append(runtime.call("systemd_restart", {"unit": "checkout.service"}, ctx))
        clock.advance(minutes=5)
    assert [s.status for s in statuses] == ["success"] * 3 + ["refused"]
    assert "rate limit" in statuses[-1].error
    assert len(argv_of(fake_bin[1])) == 3
    clock.advance(hours=1)
    ctx = ActionContext(scope="sig-9", service="checkout-api", team="payments")
    req = runtime.call("systemd_restart", {"unit": "checkout.service"}, ctx)
    runtime.decide(req.approval_id, "U1", accept=True)
    assert runtime.call("systemd_restart", {"unit": "checkout.service"}, ctx).ok


def test_circuit_breaker_opens_after_failures(runtime: ToolRuntime, fake_bin, clock,
                                              fake_writer) -> None:
    bindir, log = fake_bin
    fake_writer(bindir, "kubectl", log, extra="exit 1")
    args = {"namespace": "pay", "name": "api"}
    results = []
    for i in range(4):
        ctx = ActionContext(scope=f"s{i}", service="checkout-api", team="payments")
        req = runtime.call("kubectl_rollout_restart", args, ctx)
        runtime.decide(req.approval_id, "U1", accept=True)
        results.append(runtime.call("kubectl_rollout_restart", args, ctx))
        clock.advance(minutes=1)
    # the first two fail on the fake kubectl, the third fails too, the fourth is refused
    assert [r.status for r in results] == ["error", "error", "error", "refused"]
    assert "circuit open" in results[-1].error


def test_kill_switch_refuses_everything(tmp_path: Path, section, org, clock) -> None:
    from agent.kernel.db import open_db

    off = section.model_copy(update={"enabled": False})
    rt = ToolRuntime.open(open_db(tmp_path / "x.db"), off, org, clock=clock)
    res = rt.call("dns_lookup", {"name": "localhost"}, CTX)
    assert res.status == "refused" and "kill switch" in res.error


def test_dry_run_prints_exact_argv_and_runs_nothing(runtime: ToolRuntime, fake_bin,
                                                    argv_of) -> None:
    res = runtime.call("kubectl_rollout_restart",
                       {"namespace": "payments", "kind": "deployment", "name": "checkout"},
                       CTX, dry_run=True)
    assert res.status == "dry_run"
    assert res.commands == [["kubectl", "--namespace", "payments", "rollout", "restart",
                             "deployment/checkout"]]
    assert res.data["needs_approval"] is True
    assert argv_of(fake_bin[1]) == []


def test_ledger_is_append_only_and_tamper_evident(runtime: ToolRuntime) -> None:
    import sqlite3

    import pytest

    runtime.call("top_processes", {"limit": 1}, CTX)
    runtime.call("disk_usage", {"path": "/"}, CTX)
    assert runtime.ledger.verify()[0]
    with pytest.raises(sqlite3.DatabaseError):
        runtime.ledger.conn.execute("UPDATE tool_ledger SET status = 'x'")
    with pytest.raises(sqlite3.DatabaseError):
        runtime.ledger.conn.execute("DELETE FROM tool_ledger")
    conn = runtime.ledger.conn
    conn.execute("DROP TRIGGER tool_ledger_no_update")
    conn.execute("UPDATE tool_ledger SET status = 'forged' WHERE seq = 1")
    ok, why = runtime.ledger.verify()
    assert not ok and "row 1" in why
