"""A restarted service with Slack mounted builds without the chat responder's LLM client or the
learning store's Chroma (issue #12: they are built on first use, off the recovery path),
checked in a fresh interpreter; the lazy value is built once, on first use."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from agent.kernel.lazy import Lazy
from tests.conftest import DEMO_CONFIG

PROBE = """
import json, sys
from agent.config.loader import load_config
from agent.config.settings import Settings
from agent.service import create_app
settings = Settings(_env_file=None, TRIAGE_HOME=sys.argv[1], TRIAGE_WEBHOOK_TOKEN="t" * 30,
                    SLACK_BOT_TOKEN="xoxb-1-2-lazy", SLACK_SIGNING_SECRET="s" * 30,
                    TRIAGE_SLACK_API_URL="http://127.0.0.1:9/api/")
app = create_app(settings, load_config(sys.argv[2]))
assert any(getattr(r, "path", "") == "/slack/events" for r in app.routes)
print("MODULES=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_a_slack_service_builds_without_openai_or_chroma(tmp_path) -> None:  # noqa: ANN001
    res = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "home"), str(DEMO_CONFIG)],
                         capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "TRIAGE_REASONER": "offline"})
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("MODULES="))
    modules = set(json.loads(line.removeprefix("MODULES=")))
    assert "slack_bolt" in modules and "langgraph" in modules
    assert not modules & {"openai", "chromadb"}, modules & {"openai", "chromadb"}


def test_lazy_builds_once_on_first_use() -> None:
    built: list[int] = []

    def factory() -> dict[str, int]:
        built.append(1)
        return {"a": 1}

    lazy = Lazy(factory)
    assert built == []
    threads = [threading.Thread(target=lambda: lazy.get("a")) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == [1] and lazy.get("a") == 1 and lazy.keys() == {"a": 1}.keys()
