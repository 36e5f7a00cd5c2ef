"""The README's examples run as written: every line of the "Using it" block is executed from the
repository root on a fresh home; the long-running services are checked to exist."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(after: str) -> list[list[str]]:
    section = README[README.index(after):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [[line for line in b.splitlines() if line.strip()] for b in blocks]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRIAGE_", "OPENAI_", "SLACK_"))}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["TRIAGE_HOME"] = str(home)
    return env


def _command(line: str) -> str:
    return line.split("  #")[0].strip()


def test_using_it_block_runs_as_written(tmp_path: Path) -> None:
    examples, _services = _blocks("## Using it")
    assert len(examples) >= 10
    env = _env(tmp_path / "home")
    for line in examples:
        command = _command(line)
        proc = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        if "--json" in command and command.startswith("triage run"):
            decision = json.loads(proc.stdout.splitlines()[0])
            assert decision["kind"] == "alert" and decision["runbook_url"].startswith("https://")
        if command.startswith("triage kb search"):
            assert "KubePodCrashLooping.md" in proc.stdout


def test_service_commands_exist_and_guides_are_there(tmp_path: Path) -> None:
    _examples, services = _blocks("## Using it")
    env = _env(tmp_path / "home")
    for line in services:
        argv = shlex.split(_command(line))
        assert argv[0] == "triage"
        proc = subprocess.run([argv[0], argv[1], "--help"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    for path in re.findall(r"`(docs/[\w./-]+\.md)`", README):
        assert (ROOT / path).is_file(), path
