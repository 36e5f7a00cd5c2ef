"""Secret canaries (issue #12): one redaction pass at ingestion keeps them out of every store.

A token-looking value and a password ride in labels (secret-looking and innocent key names),
annotations, a log line, a ticket body, a Slack message, base64-wrapped, in a presigned URL and
a cookie. After triage with real parts (SQLite stores and checkpoints, Chroma knowledge base,
the tool runtime with a run paused on an approval, Slack posts through the SDK to the local Web
API stand-in, the service's dead-letter store, logs at DEBUG), no canary is found anywhere.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import stat
from pathlib import Path

import pytest
from slack_sdk import WebClient

from agent.config.org import OrgConfig
from agent.kernel.packing import pack, stored_json
from agent.kernel.redact import redact, redact_value
from agent.store.payloads import unpack_json
from tests.support.paused_checkpoint import RUNBOOK, T0, alert, org
from tests.support.slack_api import SlackApiStandIn

TOKEN = "ghp_" + "C4n4ryT0k3nZ9x8w7v6u5t4s3r2q1p0o9n8m"
PASSWORD = "Canary-Pa55w0rd-7f3a9"
SIGNED = "C4n4rySigZ9x8w7v6u5t4s3r2q1"
COOKIE = "C4n4ryCookieZ9x8w7v6u5"
WRAPPED = base64.b64encode(f"password={PASSWORD}".encode()).decode()
CANARIES = (TOKEN, PASSWORD, SIGNED, COOKIE, WRAPPED, "C4n4ryT0k3n", "Canary-Pa55w0rd")


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def _payloads() -> list[tuple[object, str]]:
    """Canary-carrying bodies of five formats."""
    am = alert()
    am["alerts"][0]["labels"].update({"api_token": TOKEN, "db_password": PASSWORD,
                                      "note": f"deploy key {TOKEN}"})
    am["alerts"][0]["annotations"].update({
        "description": f"login failed with password={PASSWORD}; retried with token {TOKEN}",
        "dashboard": f"https://s3.example/d?X-Amz-Credential=AKIA&X-Amz-Signature={SIGNED}",
        "debug": f"Cookie: session={COOKIE}; blob {WRAPPED}"})
    log = (f"2026-11-28T02:05:00Z checkout-api ERROR auth failed user=bob password: {PASSWORD} "
           f"Authorization: Bearer {TOKEN}")
    ticket = {"title": "Checkout login broken", "reporter": "ann@example.com",
              "body": f"Customers cannot pay. The admin password is {PASSWORD} (password="
                      f"{PASSWORD}) and the CI token {TOKEN}.",
              "created_at": "2026-11-28T02:06:00Z", "service": "checkout-api"}
    slack = {"type": "message", "user": "U0ALICE01", "channel": "C0GENERAL",
             "ts": "1764295600.000100",
             "text": f"checkout is down for everyone, password={PASSWORD} token {TOKEN}"}
    return [(am, "alertmanager"), (log, "log"), (ticket, "ticket"), (slack, "slack")]


def test_a_packed_canary_is_found_once_unpacked() -> None:
    from agent.kernel.packing import DECISION_DICT

    blob = pack(json.dumps({"rationale": f"password={PASSWORD}"}), DECISION_DICT)
    assert _leaks(blob.decode("utf-8", "replace")) == []  # packing hides it from a byte scan
    assert _leaks(json.dumps(stored_json(blob))) == [PASSWORD, "Canary-Pa55w0rd"]  # not this


def test_redaction_masks_every_canary_shape() -> None:
    for body, _ in _payloads():
        assert _leaks(json.dumps(redact_value(body))) == [], body
    assert redact(f"innocent={TOKEN}") == "innocent=[REDACTED:github_token]"


@pytest.mark.parametrize("fmt", ["alertmanager", "log", "ticket", "slack"])
def test_no_canary_reaches_any_store_post_or_log(fmt: str, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    from agent.graph import serializer
    from agent.service.deadletters import DeadLetters
    from agent.slack.notify import post_decision
    from agent.wiring import build_pipeline, open_kb_at
    from tools.runtime import ToolRuntime

    caplog.set_level(logging.DEBUG)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("kubectl", "systemctl"):
        fake = bindir / name
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    base = org(str(bindir)).model_dump()
    base["teams"]["payments"]["slack_channel"] = "#payments"
    config = OrgConfig.model_validate(base)
    docs = tmp_path / "kb" / "k8s"
    docs.mkdir(parents=True)
    (docs / "CheckoutPodsCrashLooping.md").write_text(RUNBOOK, encoding="utf-8")
    kb = open_kb_at(tmp_path / "home", config)
    kb.ingest_path(tmp_path / "kb", kind="runbook")
    db = tmp_path / "triage.db"
    tools = ToolRuntime.open(db, config.tools, config, clock=lambda: T0)
    pipe = build_pipeline(config=config, db_path=db, checkpointer="sqlite", retriever=kb,
                          tools=tools, clock=lambda: T0)
    slack = SlackApiStandIn().start()
    try:
        client = WebClient(token="xoxb-1-2-canary-test", base_url=slack.base_url)
        body, _ = next(p for p in _payloads() if p[1] == fmt)
        decisions = pipe.triage(body, fmt)
        assert decisions
        for decision in decisions:
            post_decision(client, decision, config, pipeline=pipe, force=True)
            pipe.submit_learning(decision.signal_id, fix=f"rotated the password={PASSWORD}",
                                 author="U1")
        assert slack.calls("chat.postMessage")
        posted = json.dumps([c.body for c in slack.calls()])
        dead = DeadLetters(sqlite3.connect(str(db), check_same_thread=False))
        raw = body if isinstance(body, str) else json.dumps(body)
        dead.add("/v1/events", 422, f"bad input near {PASSWORD}", raw.encode())
    finally:
        slack.stop()
    assert _leaks(posted) == []
    for name in ("triage.db", "checkpoints.db"):
        conn = sqlite3.connect(str(tmp_path / name))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
                      and p.suffix != ".md" and p.parent != bindir)
    assert _leaks(stored.decode("utf-8", "replace")) == []  # SQLite stores, Chroma, KB index
    conn = sqlite3.connect(str(tmp_path / "triage.db"))
    packed = [unpack_json(b) for (b,) in conn.execute("SELECT body FROM payloads")]
    rows = [stored_json(b) for t in ("signals", "decisions")
            for (b,) in conn.execute(f"SELECT body FROM {t}")]
    facts = [stored_json(b) for (b,) in conn.execute(
        "SELECT data FROM incident_timeline WHERE data IS NOT NULL")]  # packed incident facts
    kinds = {type(b) for (b,) in conn.execute("SELECT body FROM decisions UNION ALL "
                                               "SELECT body FROM signals")}
    conn.close()
    assert _leaks(json.dumps(packed)) == []  # delivery bodies are stored compressed
    assert kinds == {bytes} and len(rows) == 2 * len(decisions)  # so are signals and decisions
    assert _leaks(json.dumps(rows)) == []  # redacted before they were packed
    assert _leaks(json.dumps(facts)) == []
    conn = sqlite3.connect(str(tmp_path / "checkpoints.db"))
    blobs = [(t, b) for t, b in conn.execute("SELECT type, checkpoint FROM checkpoints")]
    blobs += [(t, b) for t, b in conn.execute("SELECT type, value FROM writes")]
    conn.close()
    if fmt == "alertmanager":
        assert blobs  # the run paused on its approval keeps a (compressed) checkpoint
    serde = serializer()
    opened = json.dumps([serde.loads_typed((t, b)) for t, b in blobs if t], default=str)
    assert _leaks(opened) == []
    logged = caplog.text + json.dumps([r.__dict__ for r in caplog.records], default=str)
    assert _leaks(logged) == []
