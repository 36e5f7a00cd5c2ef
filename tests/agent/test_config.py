"""The YAML configuration loads as CONTRACTS §7 writes it and rejects bad keys by name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.config.loader import ConfigError, load_config, parse_config
from agent.kernel.durations import parse_duration

CONTRACT_EXAMPLE = """
services:
  checkout-api: {team: payments, tier: 1, customer_facing: true, description: "card checkout"}
  reporting: {team: data, tier: 3, customer_facing: false}
routes:
  - match: {namespace: payments}
    team: payments
  - match_re: {alertname: "^(Kube|Node).*"}
    team: platform
teams:
  payments: {slack_channel: "#payments-oncall", approvers: [U024BE7LH]}
maintenance:
  - match: {service: orders-db}
    start: "2026-12-01T01:00:00Z"
    end: "2026-12-01T03:00:00Z"
    reason: "PostgreSQL minor upgrade"
inhibit_rules:
  - source_matchers: ['severity="critical"', 'alertname="NodeDown"']
    target_matchers: ['severity="warning"']
    equal: [instance]
grouping: {group_by: [alertname, service], group_wait: 30s, group_interval: 5m, repeat_interval: 4h}
security_team: secops
thresholds:
  cpu_usage_percent: {warning: 80, critical: 95}
  disk_used_percent: {warning: 85, critical: 95}
"""


def test_contract_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONTRACT_EXAMPLE)
    cfg = load_config(path)
    assert cfg.services["checkout-api"].tier == 1
    assert cfg.grouping.group_interval == timedelta(minutes=5)
    assert cfg.routes[1].matches({"alertname": "KubePodCrashLooping"})
    assert not cfg.routes[1].matches({"alertname": "XKube"})  # fully anchored
    assert cfg.thresholds["cpu_usage_percent"].critical == 95


@pytest.mark.parametrize(("doc", "needle"), [
    ({"servicez": {}}, "servicez: unknown key"),
    ({"services": {"a": {"tier": 7}}}, "services.a.tier"),
    ({"routes": [{"match_re": {"x": "("}, "team": "t"}]}, "match_re.x: invalid regular"),
    ({"maintenance": [{"start": "2026-12-01T03:00:00Z", "end": "2026-12-01T01:00:00Z"}]},
     "end must be after start"),
    ({"inhibit_rules": [{"source_matchers": ["severity critical"]}]}, "bad matcher"),
    ({"grouping": {"group_wait": "5 minutes"}}, "grouping.group_wait"),
    ({"thresholds": {"cpu": {"warning": 99, "critical": 90}}}, "warning must be less severe"),
])
def test_bad_config_names_the_key(doc: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert needle in str(err.value)


def test_durations() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(45) == timedelta(seconds=45)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_config_check_cli(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(CONTRACT_EXAMPLE)
    bad.write_text("services: {a: {tier: 0}}\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["config", "check", "--config", str(good)])
    assert ok.exit_code == 0 and "2 services" in ok.output
    res = runner.invoke(app, ["--config", str(bad), "config", "check"])
    assert res.exit_code == 2
    assert "services.a.tier" in res.output


def test_settings_keywords_override_environment_and_ignore_home(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from agent.config.settings import Settings

    monkeypatch.delenv("TRIAGE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert Settings().home != tmp_path / "user"  # HOME is not TRIAGE_HOME
    assert Settings(home=tmp_path / "kw").home == tmp_path / "kw"
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path / "env"))
    assert Settings().home == tmp_path / "env"
    assert Settings(home=tmp_path / "kw").home == tmp_path / "kw"
    with pytest.raises(ValueError, match="placeholder"):
        Settings(openai_api_key="changethis")
