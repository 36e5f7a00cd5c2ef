"""`triage kb …` and `learn_command` through typer's CliRunner on real temp homes."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import typer
from typer.testing import CliRunner

from agent.cli.kb import app as kb_app
from agent.cli.kb import learn_command
from agent.kernel.signal import Signal
from agent.store import SignalStore, open_db

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def _kb(*args: str) -> object:
    return runner.invoke(kb_app, list(args), catch_exceptions=False)


def _store_signal(home: Path) -> str:
    now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    signal = Signal(signal_id="sig-42", source="alertmanager", fingerprint="fp1",
                    title="CheckoutHighErrorRate", text="checkout-api 5xx above 5%",
                    labels={"alertname": "CheckoutHighErrorRate", "service": "checkout-api"},
                    service="checkout-api", timestamp=now, received_at=now)
    SignalStore(open_db(home / "triage.db")).add_signals([signal])
    return signal.signal_id


def test_ingest_search_stats(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "runbooks", tmp_path / "rb")
    result = _kb("ingest", str(tmp_path / "rb"), "--home", str(home))
    assert result.exit_code == 0, result.output
    assert "added 5" in result.output
    result = _kb("ingest", str(tmp_path / "rb"), "--home", str(home), "--prune", "--json")
    assert json.loads(result.output.splitlines()[0])["skipped"]
    result = _kb("search", "disk almost full", "--home", str(home), "--json", "--k", "1")
    hits = json.loads(result.output)
    assert hits[0]["id"] == "disk.md" and hits[0]["metadata"]["actions"]
    result = _kb("stats", "--home", str(home), "--json")
    stats = json.loads(result.output)
    assert stats["docs_runbook"] == 4 and stats["docs_postmortem"] == 1
    assert _kb("ingest", str(tmp_path / "missing"), "--home", str(home)).exit_code == 2
    assert _kb("ingest", str(tmp_path / "rb"), "--kind", "bogus",
               "--home", str(home)).exit_code == 2


def test_ingest_cases_and_feedback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({
        "id": "h1", "input": {"format": "generic", "payload": {"title": "VPN down for all"}},
        "expected": {"kind": "incident", "team": "it"}}) + "\n")
    result = _kb("ingest-cases", str(cases), "--home", str(home))
    assert result.exit_code == 0 and "1 cases stored" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert _kb("ingest-cases", str(bad), "--home", str(home)).exit_code == 2
    signal_id = _store_signal(home)
    result = _kb("feedback", signal_id, "--kind", "incident", "--team", "payments",
                 "--home", str(home))
    assert result.exit_code == 0 and "feedback/sig-42" in result.output
    assert _kb("feedback", "nope", "--kind", "incident", "--home", str(home)).exit_code == 2
    stats = json.loads(_kb("stats", "--home", str(home), "--json").output)
    assert stats["cases"] == 2


def test_learn_review_rollback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    signal_id = _store_signal(home)
    root = typer.Typer()
    root.command("learn")(learn_command)
    root.command("noop")(lambda: None)  # keep `learn` a named sub-command
    result = runner.invoke(root, ["learn", signal_id, "--fix", "rolled back release 4.18",
                                  "--author", "alice", "--home", str(home)])
    assert result.exit_code == 0, result.output
    learning_id = result.output.split(":")[0]
    listed = json.loads(_kb("review", "list", "--home", str(home), "--json").output)
    assert [i["id"] for i in listed] == [learning_id]
    assert listed[0]["signal_ids"] == [signal_id] and listed[0]["author"] == "alice"
    assert _kb("search", "rolled back release", "--kind", "learning",
               "--home", str(home)).output.strip() == "no results"
    assert _kb("review", "approve", learning_id, "--by", "bob",
               "--home", str(home)).exit_code == 0
    found = json.loads(_kb("search", "checkout errors rolled back", "--kind", "learning",
                           "--home", str(home), "--json").output)
    assert found[0]["id"] == f"learnings/{learning_id}"
    assert _kb("rollback", learning_id, "--home", str(home)).exit_code == 0
    assert _kb("rollback", learning_id, "--home", str(home)).exit_code == 2
    assert _kb("review", "reject", "L-unknown", "--home", str(home)).exit_code == 2
