"""Pluggable command executors: argv lists only (never a shell), fixed PATH, bounded output."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class ExecResult:
    """What one command did: exit code, captured (bounded) output, timing."""

    argv: list[str]
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    duration_ms: float = 0.0


class Executor(Protocol):
    """Runs one argv list with a timeout; implementations decide where (local, ssh, agent)."""

    def run(self, argv: list[str], timeout_s: float) -> ExecResult:
        """Run `argv` and return its result; must not raise for a failing command."""
        ...


@dataclass
class SubprocessExecutor:
    """Runs commands locally with `subprocess` (shell=False), a fixed PATH and a clean env."""

    path: str = DEFAULT_PATH
    cwd: str | None = None
    max_bytes: int = 256_000
    env_extra: dict[str, str] = field(default_factory=dict)

    def _resolve(self, program: str) -> str | None:
        if "/" in program:
            return program if os.access(program, os.X_OK) else None
        for folder in self.path.split(os.pathsep):
            candidate = os.path.join(folder, program)
            if folder and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None

    def run(self, argv: list[str], timeout_s: float) -> ExecResult:
        """Run argv (program looked up only on the configured PATH) and capture its output."""
        start = time.monotonic()
        program = self._resolve(argv[0]) if argv else None
        if program is None:
            return ExecResult(argv, 127, stderr=f"{argv[0] if argv else '?'}: not found on PATH")
        env = {"PATH": self.path, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **self.env_extra}
        try:
            proc = subprocess.run(  # noqa: S603 - argv list, shell=False, resolved program
                [program, *argv[1:]], capture_output=True, timeout=timeout_s, env=env,
                cwd=self.cwd, stdin=subprocess.DEVNULL, shell=False, check=False)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"")[: self.max_bytes].decode("utf-8", "replace")
            return ExecResult(argv, -9, out, "timed out", True,
                              (time.monotonic() - start) * 1000)
        except OSError as exc:
            return ExecResult(argv, 126, stderr=str(exc))
        elapsed = (time.monotonic() - start) * 1000
        log.info("executed", extra={"argv": argv, "rc": proc.returncode, "ms": elapsed})
        return ExecResult(argv, proc.returncode,
                          proc.stdout[: self.max_bytes].decode("utf-8", "replace"),
                          proc.stderr[: self.max_bytes].decode("utf-8", "replace"),
                          False, elapsed)
