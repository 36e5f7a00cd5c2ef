"""Read-only diagnostics: disk usage, processes, logs, deploys (+ the network ones)."""

from __future__ import annotations

import json
import os
import shutil
from typing import Annotated, Literal

from pydantic import Field

from tools.builtin.network import NETWORK
from tools.envelope import Risk
from tools.paths import confine
from tools.registry import NoData, Plan, StrictArgs, ToolContext, ToolFailure, ToolSpec

HOSTNAME = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$"
AbsPath = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_./@+-]+$")]


class DiskArgs(StrictArgs):
    """An absolute path whose filesystem usage to report."""

    path: AbsPath = "/"


def _disk_run(a: DiskArgs, ctx: ToolContext, plan: Plan) -> dict:
    if not os.path.isabs(a.path):
        raise ToolFailure("path must be absolute")
    try:
        usage = shutil.disk_usage(a.path)
    except OSError as exc:
        raise ToolFailure(f"{a.path}: {exc.strerror}") from exc
    return {"path": a.path, "total_bytes": usage.total, "used_bytes": usage.used,
            "free_bytes": usage.free, "used_percent": round(100 * usage.used / usage.total, 2)}


class TopArgs(StrictArgs):
    """How many processes to list and the sort key."""

    limit: int = Field(10, ge=1, le=50)
    sort: Literal["cpu", "mem"] = "cpu"


def _top_plan(a: TopArgs, ctx: ToolContext) -> Plan:
    key = "-pcpu" if a.sort == "cpu" else "-pmem"
    return Plan([["ps", "-eo", "pid,user,pcpu,pmem,rss,comm", f"--sort={key}"]],
                f"list the top {a.limit} processes by {a.sort}")


def _top_run(a: TopArgs, ctx: ToolContext, plan: Plan) -> dict:
    res = ctx.executor.run(plan.commands[0], ctx.timeout_s)
    if res.returncode != 0:
        raise ToolFailure(f"ps exited {res.returncode}: {res.stderr.strip()[:300]}")
    rows = []
    for line in res.stdout.splitlines()[1:a.limit + 1]:
        parts = line.split(None, 5)
        if len(parts) == 6:
            rows.append({"pid": int(parts[0]), "user": parts[1], "cpu": float(parts[2]),
                         "mem": float(parts[3]), "rss_kb": int(parts[4]), "command": parts[5]})
    return {"processes": rows}


class TailArgs(StrictArgs):
    """A log file inside the configured log folders and how many lines to read."""

    path: AbsPath
    lines: int = Field(50, ge=1, le=500)
    contains: str | None = Field(None, max_length=200)


def _tail_plan(a: TailArgs, ctx: ToolContext) -> Plan:
    path = confine(a.path, ctx.section.log_dirs)
    return Plan(description=f"read the last {a.lines} lines of {path}")


def _tail_run(a: TailArgs, ctx: ToolContext, plan: Plan) -> dict:
    path = confine(a.path, ctx.section.log_dirs)
    if not path.is_file():
        raise ToolFailure(f"{a.path}: not a regular file")
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 1_000_000))
        text = fh.read().decode("utf-8", "replace")
    lines = text.splitlines()
    if a.contains:
        lines = [ln for ln in lines if a.contains in ln]
    lines = lines[-a.lines:]
    if not lines:
        raise NoData("no matching lines")
    return {"path": str(path), "lines": lines}


class DeploysArgs(StrictArgs):
    """Which service's recent deploys to list from the configured deploy log."""

    service: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    limit: int = Field(10, ge=1, le=100)


def _deploys_plan(a: DeploysArgs, ctx: ToolContext) -> Plan:
    if not ctx.section.deploy_log:
        raise ToolFailure("no deploy_log configured")
    return Plan(description=f"read the last {a.limit} deploys"
                f"{' of ' + a.service if a.service else ''} from {ctx.section.deploy_log}")


def _deploys_run(a: DeploysArgs, ctx: ToolContext, plan: Plan) -> dict:
    log_path = ctx.section.deploy_log or ""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()[-20_000:]
    except OSError as exc:
        raise ToolFailure(f"deploy log: {exc.strerror}") from exc
    found: list[dict] = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"line": line}
        if not isinstance(entry, dict):
            continue
        if a.service and entry.get("service") != a.service and \
                a.service not in str(entry.get("line", "")):
            continue
        found.append(entry)
        if len(found) >= a.limit:
            break
    if not found:
        raise NoData("no deploys found")
    return {"deploys": found}


def _desc(text: str) -> Plan:
    return Plan(description=text)


DIAGNOSTICS = [
    *NETWORK,
    ToolSpec("disk_usage", "Report filesystem usage for a path.", DiskArgs, Risk.read_only, 5.0,
             lambda a, c: _desc(f"statvfs {a.path}"), _disk_run, lambda a: a.path),
    ToolSpec("top_processes", "List the processes using the most CPU or memory.", TopArgs,
             Risk.read_only, 10.0, _top_plan, _top_run, lambda a: "host"),
    ToolSpec("tail_log", "Read the last lines of a log file under the allowed log folders.",
             TailArgs, Risk.read_only, 5.0, _tail_plan, _tail_run, lambda a: a.path),
    ToolSpec("recent_deploys", "List recent deploys from the deploy log.", DeploysArgs,
             Risk.read_only, 5.0, _deploys_plan, _deploys_run, lambda a: a.service or "*"),
]
