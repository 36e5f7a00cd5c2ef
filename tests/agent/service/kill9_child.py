"""One service process of the kill -9 test (`test_kill9_stages.py`), started as a fresh
interpreter, so its measured start includes every import a real restart pays.

usage: python -m tests.agent.service.kill9_child <home> <slack url> <kill spec|-> <body json|->
It writes the monotonic time (system-wide on Linux) of each start-up step to <home>/marks:
`imported`, `built` (stores, knowledge base, tools, Slack) and `started` (the worker runs).
Then it posts the alert, if any, and waits until nothing is left to decide or tell Slack.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "kill9-service-token-0123456789"
BOT_TOKEN = "xoxb-1234-5678-kill9-bot-token"
SECRET = "kill9-signing-secret-0123456789"


def _mark(home: Path, name: str) -> None:
    with (home / "marks").open("a") as out:
        out.write(f"{name} {time.monotonic()!r}\n")


def main(home: Path, slack_url: str, kill: str | None, body: dict | None) -> int:
    """Start the service over `home` (recovering what a killed one left), post `body`, finish."""
    if kill:
        os.environ["TRIAGE_TEST_KILL_AT"] = kill
    from fastapi.testclient import TestClient

    from agent.config.loader import load_config
    from agent.config.settings import Settings
    from agent.service import ServiceOptions, create_app
    from agent.wiring import open_pipeline

    _mark(home, "imported")
    settings = Settings(_env_file=None, TRIAGE_HOME=str(home), TRIAGE_WEBHOOK_TOKEN=TOKEN,
                        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        TRIAGE_SLACK_API_URL=slack_url)
    config = load_config(ROOT / "agent" / "demo" / "config.yaml")
    app = create_app(settings, config, open_pipeline(settings, config),
                     options=ServiceOptions(scan_interval_s=0.5, orphan_grace_s=0.0))
    _mark(home, "built")
    with TestClient(app) as client:
        _mark(home, "started")
        if body is not None:
            r = client.post("/v1/webhooks/alertmanager", json=body,
                            headers={"Authorization": f"Bearer {TOKEN}"})
            if r.status_code != 202:
                print(r.status_code, r.text, file=sys.stderr)
                return 3
        service = app.state.service
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (service.worker.backlog
                                               or service.claims.undecided()):
            time.sleep(0.05)
    return 0


if __name__ == "__main__":
    home_arg, url, spec, raw = sys.argv[1:5]
    code = main(Path(home_arg), url, None if spec == "-" else spec,
                None if raw == "-" else json.loads(raw))
    sys.stdout.flush()
    os._exit(code)
