"""Test-only fault hook (docs/testing.md): SIGKILL this process at a named point for one alert.

`TRIAGE_TEST_KILL_AT=<point>:<fingerprint>` makes `fault_at(point, fingerprint)` kill the process
when both match. Unset, it costs one environment lookup. Never set it in production.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "TRIAGE_TEST_KILL_AT"


def fault_at(point: str, fingerprint: str | None) -> None:
    """SIGKILL this process at `point` for the alert `TRIAGE_TEST_KILL_AT` names (tests)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec or fingerprint is None:
        return
    where, _, wanted = spec.partition(":")
    if where == point and wanted == fingerprint:
        os.kill(os.getpid(), signal.SIGKILL)
