"""Remediations run through the executor as argv lists: systemd, kubectl, caches, logs, scripts."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from tools.builtin.diagnostics import AbsPath
from tools.envelope import Risk
from tools.paths import PathNotAllowed, confine
from tools.registry import Plan, StrictArgs, ToolContext, ToolFailure, ToolSpec

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


def run_commands(ctx: ToolContext, plan: Plan) -> dict:
    """Run the plan's argv lists in order, stopping at the first failure."""
    steps = []
    for argv in plan.commands:
        res = ctx.executor.run(argv, ctx.timeout_s)
        steps.append({"argv": argv, "returncode": res.returncode, "stdout": res.stdout[-2000:],
                      "stderr": res.stderr[-2000:], "timed_out": res.timed_out})
        if res.returncode != 0:
            raise ToolFailure(f"{argv[0]} exited {res.returncode}"
                              f"{' (timed out)' if res.timed_out else ''}: "
                              f"{res.stderr.strip()[:300]}")
    return {"steps": steps}


def _run(a: object, ctx: ToolContext, plan: Plan) -> dict:
    return run_commands(ctx, plan)


class SystemdArgs(StrictArgs):
    """A systemd unit name (no leading dash, no spaces or shell characters)."""

    unit: str = Field(max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9@._:-]{0,127}$")


class RolloutArgs(StrictArgs):
    """A Kubernetes workload to restart."""

    namespace: str = Field(max_length=63, pattern=DNS_LABEL)
    kind: Literal["deployment", "statefulset", "daemonset"] = "deployment"
    name: str = Field(max_length=253, pattern=DNS_SUBDOMAIN)


class ScaleArgs(StrictArgs):
    """A Kubernetes workload and its new replica count."""

    namespace: str = Field(max_length=63, pattern=DNS_LABEL)
    kind: Literal["deployment", "statefulset"] = "deployment"
    name: str = Field(max_length=253, pattern=DNS_SUBDOMAIN)
    replicas: int = Field(ge=0, le=100)


class CacheArgs(StrictArgs):
    """A cache folder inside the configured cache roots."""

    path: AbsPath


def _cache_plan(a: CacheArgs, ctx: ToolContext) -> Plan:
    path = confine(a.path, ctx.section.cache_dirs)
    if not path.is_dir():
        raise PathNotAllowed(f"{a.path}: not a directory")
    return Plan([["find", str(path), "-xdev", "-mindepth", "1", "-delete"]],
                f"delete everything inside {path}")


class RotateArgs(StrictArgs):
    """A log file inside the configured log folders and how many rotations to keep."""

    path: AbsPath
    keep: int = Field(5, ge=1, le=20)


def _rotate_plan(a: RotateArgs, ctx: ToolContext) -> Plan:
    path = confine(a.path, ctx.section.log_dirs)
    if not path.is_file():
        raise PathNotAllowed(f"{a.path}: not a regular file")
    p = str(path)
    cmds: list[list[str]] = []
    if os.path.exists(f"{p}.{a.keep}"):
        cmds.append(["rm", "-f", "--", f"{p}.{a.keep}"])
    for i in range(a.keep - 1, 0, -1):
        if os.path.exists(f"{p}.{i}"):
            cmds.append(["mv", "-f", "--", f"{p}.{i}", f"{p}.{i + 1}"])
    cmds.append(["cp", "-p", "--", p, f"{p}.1"])
    cmds.append(["truncate", "-s", "0", "--", p])
    return Plan(cmds, f"copy-truncate {p}, keeping {a.keep} rotations")


ScriptArg = Annotated[str, Field(max_length=128, pattern=r"^[A-Za-z0-9_.,:=@/+-]{1,128}$")]


class ScriptArgs(StrictArgs):
    """A script file name from the allowlisted runbook-scripts folder and its arguments."""

    script: str = Field(max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
    args: list[ScriptArg] = Field(default_factory=list, max_length=8)


def _script_plan(a: ScriptArgs, ctx: ToolContext) -> Plan:
    folder = ctx.section.scripts_dir
    if not folder:
        raise PathNotAllowed("no scripts_dir configured")
    if any(".." in arg.split("/") for arg in a.args):
        raise PathNotAllowed("script arguments may not contain '..' path segments")
    path: Path = confine(a.script, [folder])
    if path.parent != Path(folder).resolve():
        raise PathNotAllowed(f"{a.script}: not directly inside the scripts folder")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode) or not os.access(path, os.X_OK):
        raise PathNotAllowed(f"{a.script}: not an executable file")
    if mode & stat.S_IWOTH:
        raise PathNotAllowed(f"{a.script}: world-writable scripts are not run")
    return Plan([[str(path), *a.args]], f"run runbook script {path.name}")


REMEDIATIONS = [
    ToolSpec("systemd_restart", "Restart a systemd unit (systemctl restart).", SystemdArgs,
             Risk.risky, 60.0,
             lambda a, c: Plan([["systemctl", "restart", "--", a.unit]], f"restart {a.unit}"),
             _run, lambda a: a.unit, ("unit",)),
    ToolSpec("kubectl_rollout_restart", "Rolling restart of a Kubernetes workload.",
             RolloutArgs, Risk.risky, 60.0,
             lambda a, c: Plan([["kubectl", "--namespace", a.namespace, "rollout", "restart",
                                 f"{a.kind}/{a.name}"]],
                               f"rolling restart of {a.kind}/{a.name} in {a.namespace}"),
             _run, lambda a: f"{a.namespace}/{a.kind}/{a.name}", ("namespace", "kind", "name")),
    ToolSpec("kubectl_scale", "Scale a Kubernetes workload to a replica count.", ScaleArgs,
             Risk.risky, 60.0,
             lambda a, c: Plan([["kubectl", "--namespace", a.namespace, "scale",
                                 f"--replicas={a.replicas}", f"{a.kind}/{a.name}"]],
                               f"scale {a.kind}/{a.name} in {a.namespace} to {a.replicas}"),
             _run, lambda a: f"{a.namespace}/{a.kind}/{a.name}"),
    ToolSpec("clear_cache_dir", "Delete the contents of an allowed cache folder.", CacheArgs,
             Risk.safe_write, 60.0, _cache_plan, _run, lambda a: a.path, ("path",)),
    ToolSpec("rotate_logs", "Copy-truncate rotate a log file under the allowed log folders.",
             RotateArgs, Risk.safe_write, 60.0, _rotate_plan, _run, lambda a: a.path),
    ToolSpec("run_runbook_script", "Run a script from the allowlisted runbook-scripts folder.",
             ScriptArgs, Risk.risky, 120.0, _script_plan, _run, lambda a: a.script),
]
