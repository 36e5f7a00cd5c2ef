"""`triage run` loads only what the command needs: no Chroma and no ONNX session for an empty
knowledge base while no shipped head is promoted (no text to embed), no OpenAI client for the
offline reasoner, no eval harness (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent.learning.model import load_heads
from tests.agent.cli.test_run_cli import AM_BODY
from tests.conftest import DEMO_CONFIG

PROBE = """
import json, sys
from agent.cli.main import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    print("MODULES=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _run(args: list[str]) -> tuple[set[str], str]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         timeout=300, env={"PATH": "/usr/bin:/bin", "TRIAGE_REASONER": "offline"})
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES="))), res.stdout


def test_run_on_an_empty_home_skips_chroma_onnx_openai_and_evals(tmp_path: Path) -> None:
    payload = tmp_path / "am.json"
    payload.write_text(json.dumps(AM_BODY))
    home = tmp_path / "home"
    modules, out = _run(["--home", str(home), "run", str(payload), "--config", str(DEMO_CONFIG),
                         "--json"])
    decisions = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    assert [d["kind"] for d in decisions] == ["incident", "alert"]  # it really triaged
    assert "langgraph" in modules
    skipped = {"chromadb", "openai", "evals"}
    if not load_heads()[1].get("promoted"):  # a promoted head embeds the signal's text
        skipped |= {"onnxruntime", "tokenizers"}
    assert not modules & skipped, modules & skipped
    assert (home / "triage.db").exists() and not (home / "chroma").exists()


def test_version_loads_no_pipeline(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-c", PROBE.replace("standalone_mode=False",
                                                              "standalone_mode=True"),
                          "--version"], capture_output=True, text=True, timeout=120)
    assert "triage " in res.stdout
    line = next(x for x in res.stdout.splitlines() if x.startswith("MODULES="))
    modules = set(json.loads(line.removeprefix("MODULES=")))
    assert not modules & {"langgraph", "chromadb", "openai", "onnxruntime", "evals", "numpy",
                          "httpx"}
