"""A local stand-in for Slack's Web API on 127.0.0.1 (real HTTP, stdlib server in a thread).

Every request is recorded (method name from the path, parsed form or JSON body, headers), so
tests assert on what really left the Slack SDK. Methods answer `{"ok": true, ...}` with the
fields the SDK and Bolt read (auth.test identity, chat.postMessage channel/ts, views.open view,
apps.connections.open's Socket Mode URL).
Any other path (e.g. a slash command's `response_url`) is recorded as method "response:<path>".
Channels and messages are kept: conversations.create / list / join / invite / open / history
answer with Slack's documented shapes (`name_taken`, `already_in_channel` errors included), and
posted messages keep their `metadata` for history lookups.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER_ID, BOT_ID, TEAM_ID = "UTRIAGEBOT", "BTRIAGEBOT", "T0ACME001"


@dataclass(frozen=True)
class Call:
    """One recorded Web API (or response_url) call."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]

    def blocks_text(self) -> str:
        """All text in the call's blocks (and `text`), for loose content assertions."""
        blocks = self.body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return json.dumps(blocks or []) + "\n" + str(self.body.get("text") or "")


class SlackApiStandIn:
    """The Web API stand-in: start(), base_url, calls(method), wait_for(method, n)."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self.socket_url = "ws://127.0.0.1:9/"  # what apps.connections.open hands out
        self.channels: dict[str, dict[str, Any]] = {}  # id -> conversation object
        self.members: dict[str, set[str]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages (oldest 1st)
        self._ids = itertools.count(1)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                body = stand_in._parse(raw, self.headers.get("Content-Type") or "")
                path = self.path.split("?")[0]
                method = path[len("/api/"):] if path.startswith("/api/") else f"response:{path}"
                reply = stand_in._record(Call(method, body, dict(self.headers.items())))
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """The Web API base URL to give WebClient / TRIAGE_SLACK_API_URL (ends with "/")."""
        return f"{self.url}/api/"

    def start(self) -> SlackApiStandIn:
        """Serve in a daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def _parse(raw: str, content_type: str) -> dict[str, Any]:
        if "json" in content_type:
            return json.loads(raw or "{}")
        return dict(parse_qsl(raw, keep_blank_values=True))

    def _channel(self, name: str, kind: str = "C") -> dict[str, Any]:
        cid = f"{kind}0{next(self._ids):08d}"
        channel = {"id": cid, "name": name, "is_channel": kind == "C", "is_im": kind == "D",
                   "is_private": False, "is_archived": False, "is_member": True,
                   "created": 1764300000, "creator": BOT_USER_ID}
        self.channels[cid] = channel
        self.members[cid] = {BOT_USER_ID}
        return channel

    def _conversations(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "conversations.create":
            name = str(body.get("name") or "")
            if any(c["name"] == name for c in self.channels.values()):
                return {"ok": False, "error": "name_taken"}
            return {"ok": True, "channel": self._channel(name)}
        if method == "conversations.list":
            listed = [{**c, "is_member": BOT_USER_ID in self.members[c["id"]]}
                      for c in self.channels.values() if c["is_channel"]]
            return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.open":
            user = str(body.get("users") or "")
            found = next((c for c in self.channels.values() if c["is_im"]
                          and c.get("user") == user), None)
            if found is None:
                found = self._channel("", "D")
                found["user"] = user
            return {"ok": True, "channel": {"id": found["id"]}}
        cid = str(body.get("channel") or "")
        if cid not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.join":
            self.members[cid].add(BOT_USER_ID)
            return {"ok": True, "channel": self.channels[cid]}
        if method == "conversations.invite":
            users = [u for u in str(body.get("users") or "").split(",") if u]
            new = [u for u in users if u not in self.members[cid]]
            if not new:
                return {"ok": False, "error": "already_in_channel"}
            self.members[cid].update(new)
            return {"ok": True, "channel": self.channels[cid]}
        if method == "conversations.history":
            oldest = float(body.get("oldest") or 0)
            found = [m for m in reversed(self.messages.get(cid, [])) if float(m["ts"]) > oldest]
            if str(body.get("include_all_metadata")).lower() not in ("true", "1"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        return {"ok": True}

    def _keep(self, body: dict[str, Any], ts: str) -> None:
        channel = str(body.get("channel") or "")
        metadata = body.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = {"type": "message", "ts": ts, "text": body.get("text"), "bot_id": BOT_ID,
                   "thread_ts": body.get("thread_ts")}
        if metadata:
            message["metadata"] = metadata
        self.messages.setdefault(channel, []).append(message)

    def _reply(self, call: Call) -> dict[str, Any]:
        body, method = call.body, call.method
        if method.startswith("conversations."):
            return self._conversations(method, body)
        if method == "auth.test":
            return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme",
                    "user": "triage", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.update"):
            ts = body.get("ts") or f"1764300000.{next(self._ts):06d}"
            named = str(body.get("channel") or "").removeprefix("#")
            known = next((c["id"] for c in self.channels.values() if c["name"] == named
                          and named), None)
            if known is not None:  # a channel name resolves to its id, as Slack does
                body = {**body, "channel": known}
            if method == "chat.postMessage":
                self._keep(body, ts)
            return {"ok": True, "channel": body.get("channel"), "ts": ts,
                    "message": {"text": body.get("text"), "ts": ts, "bot_id": BOT_ID}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1764300000.{next(self._ts):06d}"}
        if method == "views.open":
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {**(view or {}), "id": "V0RESOLVE1"}}
        return {"ok": True}

    def _record(self, call: Call) -> dict[str, Any]:
        with self._cond:
            self._calls.append(call)
            reply = self._reply(call)
            self._cond.notify_all()
        return reply

    def add_channel(self, name: str) -> str:
        """Create a public channel the bot is in (as if made in the workspace); its id."""
        with self._cond:
            return str(self._channel(name)["id"])

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, optionally of one method, in arrival order."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until at least `count` calls of `method` arrived; return them (or raise)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(f"expected {count} {method} call(s); got {seen}")
                self._cond.wait(left)

    def responses(self) -> list[Call]:
        """Calls made to response_url paths (slash commands, interactivity)."""
        return [c for c in self.calls() if c.method.startswith("response:")]
