"""`triage_build_info` and the standard Prometheus process metrics (`process_*`, from /proc).

Names and meanings follow the Prometheus client libraries' process collector, so existing
dashboards and alerts (`process_resident_memory_bytes`, `rate(process_cpu_seconds_total[5m])`,
`process_open_fds / process_max_fds`) work unchanged.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import time
from pathlib import Path

from agent.kernel.version import version

_PROC = Path("/proc/self")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _from_proc() -> dict[str, float]:
    """CPU, memory, start time and file descriptors of this process from /proc (Linux)."""
    out: dict[str, float] = {}
    try:
        stat = (_PROC / "stat").read_text()
    except OSError:
        return out
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    out["process_cpu_seconds_total"] = (int(fields[11]) + int(fields[12])) / _TICKS
    out["process_virtual_memory_bytes"] = float(fields[20])
    out["process_resident_memory_bytes"] = float(int(fields[21]) * _PAGE)
    boot = _boot_time()
    if boot is not None:
        out["process_start_time_seconds"] = boot + int(fields[19]) / _TICKS
    with contextlib.suppress(OSError):
        out["process_open_fds"] = float(len(os.listdir(_PROC / "fd")))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY:
        out["process_max_fds"] = float(soft)
    return out


def _fallback() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"process_cpu_seconds_total": usage.ru_utime + usage.ru_stime}


_HELP = {
    "process_cpu_seconds_total": ("counter", "Total user and system CPU time spent in seconds."),
    "process_virtual_memory_bytes": ("gauge", "Virtual memory size in bytes."),
    "process_resident_memory_bytes": ("gauge", "Resident memory size in bytes."),
    "process_start_time_seconds": ("gauge", "Start time of the process since unix epoch in "
                                            "seconds."),
    "process_open_fds": ("gauge", "Number of open file descriptors."),
    "process_max_fds": ("gauge", "Maximum number of open file descriptors."),
}


def render_process_metrics(started_at: float | None = None) -> str:
    """Exposition text of `triage_build_info`, `python_info` and the `process_*` metrics."""
    lines = ["# HELP triage_build_info Triage build information (always 1).",
             "# TYPE triage_build_info gauge",
             f'triage_build_info{{version="{_escape(version())}",'
             f'python="{_escape(platform.python_version())}"}} 1',
             "# HELP python_info Python platform information.",
             "# TYPE python_info gauge",
             f'python_info{{implementation="{_escape(platform.python_implementation())}",'
             f'version="{_escape(platform.python_version())}"}} 1']
    values = _from_proc() or _fallback()
    if "process_start_time_seconds" not in values and started_at is not None:
        values["process_start_time_seconds"] = started_at
    for name, value in values.items():
        kind, text = _HELP[name]
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value:.17g}"]
    return "\n".join(lines) + "\n"


PROCESS_STARTED = time.time()
