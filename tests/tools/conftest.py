"""Fixtures for the tools tests: fake systemctl/kubectl on an injected PATH, a real runtime."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.config.org import OrgConfig, Team
from agent.config.sections import ToolsSection
from agent.kernel.db import open_db
from tools.runtime import ToolRuntime

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> {log}
{extra}
"""


def write_fake(bindir: Path, name: str, log: Path, extra: str = "") -> Path:
    """A fake command that appends its argv to `log` (never the real one)."""
    path = bindir / name
    path.write_text(FAKE.format(log=log, extra=extra))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)



def argv_lines(log: Path) -> list[str]:
    """Lines the fake commands wrote."""
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def argv_of():
    """Reader of the fake commands' argv log."""
    return argv_lines


@pytest.fixture
def fake_writer():
    """The helper that (re)writes a fake command."""
    return write_fake


@pytest.fixture
def fake_bin(tmp_path: Path) -> tuple[Path, Path]:
    """(bin dir holding fake systemctl and kubectl, their shared argv log)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "argv.log"
    write_fake(bindir, "systemctl", log)
    write_fake(bindir, "kubectl", log)
    return bindir, log


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def org() -> OrgConfig:
    return OrgConfig(teams={"payments": Team(approvers=["U1", "U2"]), "data": Team()})


@pytest.fixture
def section(tmp_path: Path, fake_bin: tuple[Path, Path]) -> ToolsSection:
    logs, cache, scripts = tmp_path / "logs", tmp_path / "cache", tmp_path / "scripts"
    for d in (logs, cache, scripts):
        d.mkdir()
    return ToolsSection(bin_path=f"{fake_bin[0]}:/usr/bin:/bin", log_dirs=[str(logs)],
                        cache_dirs=[str(cache)], scripts_dir=str(scripts),
                        deploy_log=str(tmp_path / "deploys.jsonl"))


@pytest.fixture
def runtime(tmp_path: Path, section: ToolsSection, org: OrgConfig,
            clock: Clock) -> ToolRuntime:
    return ToolRuntime.open(open_db(tmp_path / "triage.db"), section, org, clock=clock)




def allow_local(runtime: ToolRuntime, *ports: int, names: tuple[str, ...] = ()) -> None:
    """List 127.0.0.1 on `ports` (and hosts `names`) in the runtime's egress policy."""
    from agent.config.targets import EgressRule, ServiceTargets, TargetsSection
    from tools.egress import EgressPolicy

    targets = TargetsSection(egress=[EgressRule(host="127.0.0.1", ports=list(ports))],
                             services={"local": ServiceTargets(hosts=list(names))})
    runtime.egress = EgressPolicy.from_targets(targets)


@pytest.fixture
def local_egress():
    """The helper that lists local test servers in a runtime's egress policy."""
    return allow_local
