"""The import-linter contracts in pyproject.toml hold, and they catch an import that breaks them.

The failing cases run `lint-imports` with the project's own configuration on a copy of the
sources in which one forbidden import was injected.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "tools", "knowledge", "evals")
SURFACES = ("agent/cli/", "agent/service/", "agent/slack/", "agent/demo/", "agent/mcp/", "evals/")
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-logo", "--no-cache", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _not_python(folder: str, names: list[str]) -> list[str]:
    """copytree's ignore: everything but Python files and folders (no caches)."""
    return [n for n in names if n == "__pycache__"
            or (not n.endswith(".py") and not (Path(folder) / n).is_dir())]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The Python sources and pyproject.toml, copied (data files left out)."""
    root = tmp_path / "src"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=_not_python)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _inject(root: Path, module: str, line: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_contracts_hold_on_the_copy(copy: Path) -> None:
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


INJECTED = [  # (module, forbidden import added to it, the contract line that must report it)
    ("agent.kernel.taxonomy", "import agent.cli.main  # noqa", "agent.kernel is not allowed"),
    ("knowledge.ranking", "import agent.pipeline  # noqa", "knowledge is not allowed"),
    ("tools.envelope", "import knowledge.types  # noqa", "tools is not allowed"),
    ("agent.cli.render", "import agent.graph  # noqa", "agent.cli is not allowed"),
    ("evals.stats", "import tools.registry  # noqa", "evals is not allowed"),
]


def test_a_forbidden_import_fails(copy: Path) -> None:
    """Each injected import is reported by its contract (one run checks them all)."""
    for module, line, _ in INJECTED:
        _inject(copy, module, line)
    result = _lint(copy)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    for module, line, contract in INJECTED:
        assert contract in result.stdout, (module, result.stdout)
        assert f"{module} -> {line.split()[1]}" in result.stdout, (module, result.stdout)


def test_every_layer_module_exists_or_is_optional() -> None:
    """A renamed package must be renamed in the contracts too (else it goes unchecked)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    names = [n.strip() for layer in layers for n in layer.replace("|", ":").split(":")]
    for name in names:
        if name.startswith("("):
            continue
        base = ROOT / name.replace(".", "/")
        assert base.is_dir() or base.with_suffix(".py").exists(), name


def test_one_approval_path() -> None:
    """Only the facade resumes a paused run (through its graph runner, the one place that
    builds a `Command(resume=...)`), and no surface reaches into its internals."""
    resumes, reaches, runners = [], [], []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            rel = path.relative_to(ROOT).as_posix()
            if "Command(resume=" in text.replace("`Command(resume=...)`", ""):
                resumes.append(rel)
            if "_runs.resume(" in text or "GraphRuns(" in text:
                runners.append(rel)
            if rel.startswith(SURFACES) and any(
                    s in text for s in ("pipeline.context.", "pipeline.graph.", "pipe.context.",
                                        "pipe.graph.")):
                reaches.append(rel)
    assert resumes == ["agent/graph_runs.py"]
    assert runners == ["agent/pipeline.py"]
    assert reaches == []
