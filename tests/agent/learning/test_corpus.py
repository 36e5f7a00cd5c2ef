"""The corpus builder over real (tiny) bare git mirrors made in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.learning.corpus.build import build
from agent.learning.corpus.mirror import Mirror, MirrorMissing
from agent.learning.corpus.prometheus_rules import fill_template
from agent.learning.corpus.records import read_jsonl

RULES = """groups:
- name: demo
  rules:
  - alert: DemoDiskAlmostFull
    annotations:
      summary: Disk on {{ $labels.instance }} is {{ $value }} % full
    labels: {severity: warning}
  - alert: DemoDown
    annotations: {summary: Demo is down}
    labels: {severity: critical}
  - alert: EvalOnlyName
    annotations: {summary: never trained on}
    labels: {severity: critical}
"""
LOG_CSV = "LineId,Content,EventId,EventTemplate\n" + "".join(
    f"{i},session opened,E1,session opened\n" for i in range(1, 5)) + \
    "5,Failed password for root,E2,Failed password for <*>\n"
LOG = "".join("Jun 14 15:16:01 combo sshd[1]: session opened\n" for _ in range(4)) + \
    "Jun 14 15:16:02 combo sshd[2]: Failed password for root from 1.2.3.4\n"
TOML = '[metadata]\nmaturity = "production"\n[rule]\nname = "Brute force"\n' \
       'description = "Detects many failed logins."\nseverity = "high"\n'


@pytest.fixture
def mirrors(tmp_path: Path, make_mirror) -> Path:
    make_mirror(tmp_path, "monitoring-mixins/website", {"assets/demo/alerts.yaml": RULES,
                                                    "assets/kubernetes/alerts.yaml": RULES})
    make_mirror(tmp_path, "nlamirault/monitoring-mixins",
            {"monitoring-mixins/x-mixin/prometheus/alerts.yaml": RULES})
    loghub = {f"{s}/{s}_2k.log_structured.csv": LOG_CSV for s in ("Linux",)}
    loghub.update({"Linux/Linux_2k.log": LOG, "BGL/BGL_2k.log": "held out"})
    make_mirror(tmp_path, "logpai/loghub", loghub)
    make_mirror(tmp_path, "elastic/detection-rules", {"rules/linux/brute.toml": TOML})
    return tmp_path / "mirrors"


def test_build_labels_sources_and_excludes_eval_names(mirrors: Path, tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "cases.jsonl").write_text('{"input": {"payload": {"alerts": [{"labels": '
                                        '{"alertname": "EvalOnlyName"}}]}}}\n')
    summary = build(tmp_path / "cache", mirrors, shared)
    sev = list(read_jsonl(tmp_path / "cache" / "severity.jsonl"))
    names = {e.payload["alerts"][0]["labels"]["alertname"] for e in sev}
    assert names == {"DemoDiskAlmostFull", "DemoDown"}  # eval name and kubernetes mixin dropped
    assert {e.label for e in sev} == {"warning", "exception"}
    assert all("severity" not in e.payload["alerts"][0]["labels"] for e in sev)
    logs = list(read_jsonl(tmp_path / "cache" / "log.jsonl"))
    assert [e.label for e in logs] == ["informational"] * 4 + ["warning"]
    sec = {(e.source.split(":")[0], e.label) for e in
           read_jsonl(tmp_path / "cache" / "security.jsonl")}
    assert ("elastic/detection-rules", "security") in sec
    assert ("logpai/loghub", "security") in sec and ("logpai/loghub", "benign") in sec
    assert summary["tasks"]["severity"]["count"] == 2
    assert "giantswarm/prometheus-rules" in summary["missing"]  # absent sources are listed


def test_held_out_paths_are_refused(mirrors: Path):
    loghub = Mirror.open("logpai/loghub", mirrors)
    assert not any("BGL" in p for p in loghub.paths())
    with pytest.raises(PermissionError):
        loghub.read("BGL/BGL_2k.log")
    with pytest.raises(MirrorMissing):
        Mirror.open("someone/absent", mirrors)
    with pytest.raises(MirrorMissing):
        build(mirrors.parent / "c", mirrors.parent / "nothing-here")


def test_templates_are_filled():
    assert fill_template("Disk on {{ $labels.instance }} at {{ $value | humanize }}%") == \
        "Disk on 10.0.3.17:9100 at 87.5%"


BOSH = """groups:
- name: bosh
  rules:
  - alert: BoshJobUnhealthy
    expr: bosh_job_healthy{<%= p('filter') %>} == 0
    labels: {severity: critical}
    annotations:
      summary: "BOSH job <%= p('name') %> is unhealthy"
      description: "A BOSH job reports unhealthy for 5 minutes."
  - alert: RenamedEvalCopy
    expr: up == 0
    labels: {severity: warning}
    annotations: {description: "Exactly the text of an eval case (instance 1.2.3.4)."}
"""


def test_extra_collections_are_read_and_eval_copies_dropped(tmp_path: Path, make_mirror):
    make_mirror(tmp_path, "cloudfoundry/prometheus-boshrelease",
            {"jobs/bosh_alerts/templates/bosh.alerts.yml": BOSH,
             "jobs/kubernetes_alerts/templates/k8s.alerts.yml": BOSH.replace("Bosh", "K8s")})
    make_mirror(tmp_path, "VictoriaMetrics/VictoriaMetrics",
            {"deployment/docker/vmanomaly/awesome_alerts.yml": BOSH.replace("Bosh", "Copy"),
             "deployment/docker/rules/awesome_alerts.yml": BOSH.replace("Bosh", "Copy2")})
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "cases.jsonl").write_text(
        '{"input": {"payload": {"alerts": [{"labels": {"alertname": "Other"}, "annotations": '
        '{"description": "Exactly the text of an eval case (instance 10.0.0.9)."}}]}}}\n')
    build(tmp_path / "cache", tmp_path / "mirrors", shared)
    sev = list(read_jsonl(tmp_path / "cache" / "severity.jsonl"))
    assert [e.payload["alerts"][0]["labels"]["alertname"] for e in sev] == ["BoshJobUnhealthy"]
    assert sev[0].label == "exception"
    assert sev[0].source == "cloudfoundry/prometheus-boshrelease:bosh_alerts"
