"""Socket Mode: Bolt's SocketModeHandler against a local WebSocket server and the Web API
stand-in (apps.connections.open hands out the local ws:// URL)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from websockets.sync.server import ServerConnection, serve

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.slack.app import build_bolt_app
from agent.wiring import build_pipeline
from tests.support.slack_api import TEAM_ID, SlackApiStandIn

APP_TOKEN = "xapp-1-A0TRIAGE-1234-abcdef"
EVENT = {"type": "app_mention", "user": "U0ALICE01", "channel": "C0GENERAL",
         "ts": "1764579700.000100", "text": "<@UTRIAGEBOT> orders-db replication lag is 20 min"}


class SocketServer:
    """A WebSocket server that greets, delivers queued envelopes and records the acks."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.server = serve(self._session, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/"

    def _session(self, ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0TRIAGE"}}))
        while True:
            with contextlib.suppress(queue.Empty):
                ws.send(json.dumps(self.outbox.get(timeout=0.05)))
            try:
                self.acks.put(json.loads(ws.recv(timeout=0.05)))
            except TimeoutError:
                continue
            except Exception:  # the client closed the connection
                return


@pytest.fixture
def socket_server() -> Iterator[SocketServer]:
    server = SocketServer()
    server.thread.start()
    yield server
    server.server.shutdown()


def test_socket_mode_mention_is_acked_and_answered(
        demo_config: OrgConfig, slack_api: SlackApiStandIn, socket_server: SocketServer) -> None:
    slack_api.socket_url = socket_server.url
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1234-5678-test-bot-token",
                        SLACK_APP_TOKEN=APP_TOKEN, TRIAGE_SLACK_API_URL=slack_api.base_url)
    pipeline = build_pipeline(config=demo_config)
    app = build_bolt_app(settings, demo_config, pipeline, socket_mode=True)
    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    try:
        envelope = {"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev0SOCKET1",
                    "event": EVENT, "api_app_id": "A0TRIAGE", "event_time": 1764579700}
        for attempt in (0, 1):  # Slack redelivers when it missed the ack: still one reply
            socket_server.outbox.put({"envelope_id": f"env-{attempt}", "type": "events_api",
                                      "accepts_response_payload": False,
                                      "retry_attempt": attempt, "payload": envelope})
            ack = socket_server.acks.get(timeout=10)
            assert ack["envelope_id"] == f"env-{attempt}"
        reply = slack_api.wait_for("chat.postMessage")[0]
        # a later, different event: by the time it is answered the redelivery was handled
        later = {**envelope, "event_id": "Ev0SOCKET2",
                 "event": {**EVENT, "ts": "1764579800.000100", "text": "<@UTRIAGEBOT> vpn down"}}
        socket_server.outbox.put({"envelope_id": "env-2", "type": "events_api",
                                  "accepts_response_payload": False, "retry_attempt": 0,
                                  "payload": later})
        assert socket_server.acks.get(timeout=10)["envelope_id"] == "env-2"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _in_thread(slack_api, later["event"]["ts"]):
            time.sleep(0.02)
        time.sleep(0.3)
    finally:
        handler.close()
    [opened] = slack_api.calls("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    assert reply.body["channel"] == "C0GENERAL" and reply.body["thread_ts"] == EVENT["ts"]
    assert "orders-db" in reply.blocks_text()
    assert len(_in_thread(slack_api, EVENT["ts"])) == 1
    assert len(_in_thread(slack_api, "1764579800.000100")) == 1
    assert len(pipeline.store.conn.execute("SELECT * FROM decisions").fetchall()) == 2


def _in_thread(api: SlackApiStandIn, ts: str) -> list[Any]:
    return [c for c in api.calls("chat.postMessage") if c.body.get("thread_ts") == ts]
