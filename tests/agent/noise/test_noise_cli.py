"""`triage maintenance|silence add|list|expire` against a real home folder."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agent.cli.main import app
from agent.config.org import OrgConfig
from agent.kernel.db import open_db
from agent.noise.gate import NoiseGate

runner = CliRunner()


def test_maintenance_add_list_expire_and_the_gate_applies_it(tmp_path, sig):
    home = str(tmp_path)
    added = runner.invoke(app, ["--home", home, "maintenance", "add", "-m", 'service="orders-db"',
                                "--start", "2026-12-01T00:00:00Z", "--duration", "2h",
                                "--reason", "upgrade", "--by", "alice"])
    assert added.exit_code == 0, added.output
    wid = added.output.strip()
    listed = runner.invoke(app, ["maintenance", "list", "--json", "--home", home])
    row = json.loads(listed.output.splitlines()[0])
    assert row["id"] == wid and row["matchers"] == ['service="orders-db"'] and not row["expired"]
    gate = NoiseGate(open_db(tmp_path / "triage.db"), OrgConfig())
    out = gate.process(sig.alert("DBSlow", at=30, service="orders-db"))
    assert out.maintenance and out.suppressed_by == "maintenance:upgrade"
    assert runner.invoke(app, ["--home", home, "maintenance", "expire", wid]).exit_code == 0
    assert json.loads(runner.invoke(app, ["--home", home, "maintenance", "list", "--json"])
                      .output)["expired"]


def test_silence_add_validates_matchers_and_times(tmp_path):
    home = str(tmp_path)
    bad = runner.invoke(app, ["--home", home, "silence", "add", "-m", "nonsense", "-d", "1h"])
    assert bad.exit_code == 2 and "bad matcher" in bad.output
    both = runner.invoke(app, ["--home", home, "silence", "add", "-m", 'a="b"'])
    assert both.exit_code == 2
    ok = runner.invoke(app, ["--home", home, "silence", "add", "-m", 'alertname=~"Disk.*"',
                             "-d", "30m", "--comment", "known"])
    assert ok.exit_code == 0 and ok.output.startswith("sil-")
    assert runner.invoke(app, ["--home", home, "silence", "expire", "sil-nope"]).exit_code == 1
