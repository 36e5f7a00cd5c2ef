"""Policy file loading, timeouts and the concurrency limit on real processes."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from agent.kernel.db import open_db
from tools.builtin import default_registry
from tools.policy import Policy, PolicyRule, load_policy
from tools.registry import Registry
from tools.runtime import ActionContext, ToolRuntime

CTX = ActionContext(scope="sig-l", service="checkout-api", environment="staging",
                    team="payments")
EXAMPLE = Path(__file__).resolve().parents[2] / "tools" / "policy.example.yaml"


def test_example_policy_loads_and_decides() -> None:
    policy = load_policy(EXAMPLE)
    assert policy.verdict("clear_cache_dir", "safe_write", "checkout-api", "staging") \
        .needs_approval is False
    assert policy.verdict("clear_cache_dir", "safe_write", "checkout-api", "prod") \
        .needs_approval is True
    assert policy.verdict("systemd_restart", "risky", "x", None).needs_approval is True
    assert policy.verdict("format_disk", "risky", "x", None).allowed is False
    assert policy.rate_limit("kubectl_scale").max == 3


def test_unknown_policy_keys_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("rules:\n  - tools: ['*']\n    auto_approve_everything: true\n")
    with pytest.raises(ValueError, match="auto_approve_everything"):
        load_policy(bad)


def _slow_runtime(tmp_path, section, org, clock, fake_bin, fake_writer, **update):
    bindir, log = fake_bin
    fake_writer(bindir, "systemctl", log, extra="sleep 2")
    specs = [dataclasses.replace(s, timeout_s=0.5) if s.name == "systemd_restart" else s
             for s in default_registry().specs()]
    policy = Policy(rules=[PolicyRule(tools=["*"])])
    return ToolRuntime.open(open_db(tmp_path / "l.db"), section.model_copy(update=update), org,
                            clock=clock, registry=Registry(specs), policy=policy)


def test_timeout_kills_the_command(tmp_path, section, org, clock, fake_bin,
                                   fake_writer) -> None:
    rt = _slow_runtime(tmp_path, section, org, clock, fake_bin, fake_writer)
    req = rt.call("systemd_restart", {"unit": "a.service"}, CTX)
    rt.decide(req.approval_id, "U1", accept=True)
    res = rt.call("systemd_restart", {"unit": "a.service"}, CTX)
    assert res.status == "error" and "timed out" in res.error


def test_concurrency_limit_refuses_when_busy(tmp_path, section, org, clock) -> None:
    rt = ToolRuntime.open(open_db(tmp_path / "c.db"),
                          section.model_copy(update={"max_concurrency": 1, "max_queue_s": 0.1}),
                          org, clock=clock)
    holding, release = threading.Event(), threading.Event()

    def hold(stage: str, info: dict) -> None:
        if stage == "started" and info["key"] == first_key:
            holding.set()
            release.wait(10)

    rt.hook = hold
    ctxs = [ActionContext(scope=f"c{i}", service="s", team="payments") for i in range(2)]
    first_key = rt.call("disk_usage", {"path": "/"}, ctxs[0], dry_run=True) \
        .idempotency_key
    results = {}
    worker = threading.Thread(target=lambda: results.setdefault(
        0, rt.call("disk_usage", {"path": "/"}, ctxs[0])))
    worker.start()
    assert holding.wait(10)
    busy = rt.call("disk_usage", {"path": "/"}, ctxs[1])
    release.set()
    worker.join()
    assert busy.status == "refused" and "concurrency" in busy.error
    assert results[0].status == "success"
