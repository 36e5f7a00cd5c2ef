"""Remediations on real files and fake systemctl/kubectl binaries on an injected PATH."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.kernel.db import open_db
from tools.policy import Policy, PolicyRule
from tools.runtime import ActionContext, ToolRuntime

CTX = ActionContext(scope="sig-r", service="checkout-api", team="payments")


@pytest.fixture
def auto_rt(tmp_path, section, org, clock) -> ToolRuntime:
    """A runtime whose policy lets safe_write tools run unattended."""
    policy = Policy(rules=[PolicyRule(tools=["*"], max_auto_risk="safe_write")])
    return ToolRuntime.open(open_db(tmp_path / "auto.db"), section, org, clock=clock,
                            policy=policy)


def _approve_and_run(rt: ToolRuntime, tool: str, args: dict, ctx=CTX):
    req = rt.call(tool, args, ctx)
    assert req.status == "approval_required", req
    rt.decide(req.approval_id, "U1", accept=True)
    return rt.call(tool, args, ctx)


def test_clear_cache_dir_deletes_contents_only(auto_rt: ToolRuntime, section) -> None:
    cache = Path(section.cache_dirs[0]) / "img"
    (cache / "sub").mkdir(parents=True)
    (cache / "a.bin").write_bytes(b"1")
    (cache / "sub" / "b.bin").write_bytes(b"2")
    res = auto_rt.call("clear_cache_dir", {"path": str(cache)}, CTX)
    assert res.status == "success", res
    assert cache.is_dir() and list(cache.iterdir()) == []


def test_safe_write_needs_approval_under_default_policy(runtime: ToolRuntime, section) -> None:
    res = runtime.call("clear_cache_dir", {"path": section.cache_dirs[0]}, CTX)
    assert res.status == "approval_required"


def test_rotate_logs_copy_truncates_and_shifts(auto_rt: ToolRuntime, section) -> None:
    log = Path(section.log_dirs[0]) / "app.log"
    log.write_text("new\n")
    Path(f"{log}.1").write_text("old\n")
    res = auto_rt.call("rotate_logs", {"path": str(log), "keep": 3}, CTX)
    assert res.status == "success", res
    assert log.read_text() == ""
    assert Path(f"{log}.1").read_text() == "new\n"
    assert Path(f"{log}.2").read_text() == "old\n"
    assert [s["argv"][0] for s in res.data["steps"]] == ["mv", "cp", "truncate"]


def test_systemd_and_kubectl_go_to_fake_binaries(runtime: ToolRuntime, fake_bin,
                                                  argv_of) -> None:
    _, log = fake_bin
    assert _approve_and_run(runtime, "systemd_restart", {"unit": "nginx.service"}).ok
    assert _approve_and_run(runtime, "kubectl_rollout_restart",
                            {"namespace": "payments", "kind": "statefulset",
                             "name": "orders-db"}).ok
    assert _approve_and_run(runtime, "kubectl_scale",
                            {"namespace": "payments", "name": "checkout", "replicas": 4}).ok
    assert argv_of(log) == [
        "systemctl restart -- nginx.service",
        "kubectl --namespace payments rollout restart statefulset/orders-db",
        "kubectl --namespace payments scale --replicas=4 deployment/checkout",
    ]


def test_run_runbook_script_only_from_allowlisted_folder(runtime: ToolRuntime, section,
                                                          tmp_path) -> None:
    scripts = Path(section.scripts_dir)
    out = tmp_path / "script.out"
    script = scripts / "flush.sh"
    script.write_text(f'#!/bin/sh\necho "flushed $*" >> {out}\necho done\n')
    script.chmod(0o755)
    outside = tmp_path / "evil.sh"
    outside.write_text("#!/bin/sh\ntouch /tmp/pwned\n")
    outside.chmod(0o755)
    res = _approve_and_run(runtime, "run_runbook_script",
                           {"script": "flush.sh", "args": ["--queue=orders"]})
    assert res.ok and out.read_text() == "flushed --queue=orders\n"
    assert res.data["steps"][0]["stdout"] == "done\n"
    for bad in ({"script": "../evil.sh"}, {"script": "missing.sh"},
                {"script": "flush.sh", "args": ["a;b"]},
                {"script": "flush.sh", "args": ["../../etc/passwd"]}):
        r = runtime.call("run_runbook_script", bad, CTX)
        assert r.status == "refused", (bad, r)


def test_failed_command_is_an_error_envelope(runtime: ToolRuntime, fake_bin,
                                             fake_writer) -> None:
    bindir, log = fake_bin
    fake_writer(bindir, "systemctl", log, extra='echo "Unit x.service not found." >&2; exit 5')
    res = _approve_and_run(runtime, "systemd_restart", {"unit": "x.service"})
    assert res.status == "error" and "exited 5" in res.error and "not found" in res.error


def test_missing_binary_is_an_error_not_the_real_one(tmp_path, org, clock) -> None:
    from agent.config.sections import ToolsSection

    empty = tmp_path / "empty"
    empty.mkdir()
    rt = ToolRuntime.open(open_db(tmp_path / "m.db"), ToolsSection(bin_path=str(empty)),
                          OrgConfigWithApprover(org), clock=clock)
    res = _approve_and_run(rt, "systemd_restart", {"unit": "nginx.service"})
    assert res.status == "error" and "not found on PATH" in res.error


def OrgConfigWithApprover(org):  # noqa: N802 - tiny helper reads like a constructor
    return org
