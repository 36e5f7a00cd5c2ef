"""The CLI's fast exit keeps the exit status, runs exit handlers and loses no buffered output."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import atexit, sys
    from agent.cli.exit import finish
    atexit.register(lambda: sys.stdout.write("handler ran\\n"))
    sys.stdout.write("buffered line\\n")
    finish({code})
""")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(code=code)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_exit_code_output_and_handlers_survive_the_fast_exit() -> None:
    done = _run("3")
    assert done.returncode == 3
    assert done.stdout.splitlines() == ["buffered line", "handler ran"]


def test_none_is_success() -> None:
    assert _run("None").returncode == 0


def test_a_message_exits_the_normal_way_on_stderr() -> None:
    done = _run("'error: no such file'")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: no such file"
    assert "handler ran" in done.stdout
