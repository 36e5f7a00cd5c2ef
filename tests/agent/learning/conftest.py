"""Fixtures for the learning tests: real bare git mirrors built in a temp folder."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def git_mirror(root: Path, repo: str, files: dict[str, str]) -> None:
    """A bare mirror of `repo` under root/mirrors holding `files`, as `fetch` leaves one."""
    work = root / "work" / repo.replace("/", "+")
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    bare = root / "mirrors" / repo.replace("/", "+") / "repo"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)


@pytest.fixture
def make_mirror() -> Callable[[Path, str, dict[str, str]], None]:
    """Build a bare git mirror: make_mirror(root, "owner/name", {path: text})."""
    return git_mirror
