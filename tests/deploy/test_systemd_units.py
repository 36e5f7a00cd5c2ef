"""The systemd units in deploy/: each ExecStart is a `triage serve` command line the CLI accepts."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app

UNITS = sorted((Path(__file__).resolve().parents[2] / "deploy" / "systemd").glob("*.service"))


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart=").replace("%i", "8080"))


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_units_run_serve_with_options_the_cli_accepts(unit: Path) -> None:
    argv = _exec_start(unit)
    assert Path(argv[0]).name == "triage" and argv[1] == "serve"
    flags = [a for a in argv[2:] if a.startswith("--")]
    usage = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    assert flags and all(f in usage for f in flags), (flags, usage)
    assert "NoNewPrivileges=yes" in unit.read_text() and "User=triage" in unit.read_text()


def test_an_ingest_only_unit_is_shipped() -> None:
    assert any("--no-decide" in _exec_start(u) for u in UNITS)
