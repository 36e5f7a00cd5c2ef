"""Notice-vs-condition examples from tiny real bare git mirrors (Go events, loghub, Zabbix)."""

from __future__ import annotations

from pathlib import Path

from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.notices import (
    fill_verbs,
    k8s_event_examples,
    log_level_examples,
    zabbix_trigger_examples,
)

GO = '''package ctl
func (r *R) sync() {
    r.recorder.Eventf(obj, corev1.EventTypeNormal, "Issued", "Certificate %s issued", name)
    r.recorder.Event(obj, corev1.EventTypeWarning, reasonFailed, "Failed to renew the certificate")
    r.recorder.Eventf(obj, corev1.EventTypeWarning, "Err", "%s", err)
}
'''
CSV = ("LineId,Level,Component,Content,EventId\n"
       "1,INFO,dfs.DataNode,Receiving block blk_1,E1\n"
       "2,INFO,dfs.DataNode,Receiving block blk_2,E1\n"
       "3,WARN,dfs.DataNode$PacketResponder,Exception in receiveBlock,E2\n"
       "4,,dfs.DataNode,no level here,E3\n")
ZABBIX = '''zabbix_export:
  templates:
    - template: Demo
      items:
        - name: Uptime
          triggers:
            - name: '{HOST.NAME} has been restarted'
              priority: INFO
              description: 'Uptime is less than {$UPTIME} minutes.'
            - name: 'Disk {#FSNAME} is full'
              priority: HIGH
            - name: 'Unclassified thing happened'
              priority: NOT_CLASSIFIED
      discovery_rules:
        - name: Fans
          item_prototypes:
            - name: Fan
              trigger_prototypes:
                - name: 'Fan {#SNMPINDEX} is broken'
                  priority: AVERAGE
                - name: 'Fan {#SNMPINDEX}   is broken'
                  priority: WARNING
'''


def _texts(examples) -> list[tuple[str, str, str]]:
    return [(e.label, e.payload["alerts"][0]["labels"]["alertname"],
             e.payload["alerts"][0]["annotations"].get("summary")
             or e.payload["alerts"][0]["annotations"]["description"]) for e in examples]


def test_go_events_give_normal_as_notice_and_warning_as_condition(tmp_path: Path, make_mirror):
    make_mirror(tmp_path, "cert-manager/cert-manager", {"pkg/ctl/sync.go": GO,
                                                    "pkg/ctl/sync_test.go": GO.replace("ctl", "x")})
    examples = list(k8s_event_examples(Mirror.open("cert-manager/cert-manager",
                                                   tmp_path / "mirrors")))
    assert _texts(examples) == [("notice", "Issued", "Certificate name-1 issued"),
                                ("condition", "Failed", "Failed to renew the certificate")]
    assert all(set(e.payload["alerts"][0]["labels"]) == {"alertname"} for e in examples)


def test_log_levels_give_one_example_per_template(tmp_path: Path, make_mirror):
    make_mirror(tmp_path, "logpai/loghub", {"HDFS/HDFS_2k.log_structured.csv": CSV})
    examples = list(log_level_examples(Mirror.open("logpai/loghub", tmp_path / "mirrors")))
    assert _texts(examples) == [("notice", "DataNode", "Receiving block blk_1"),
                                ("condition", "PacketResponder", "Exception in receiveBlock")]
    assert examples[0].source == "logpai/loghub:HDFS"


def test_zabbix_triggers_info_is_notice_and_duplicates_collapse(tmp_path: Path, make_mirror):
    make_mirror(tmp_path, "zabbix/community-templates",
            {"Applications/demo/6.0/template_demo.yaml": ZABBIX})
    examples = list(zabbix_trigger_examples(Mirror.open("zabbix/community-templates",
                                                        tmp_path / "mirrors")))
    assert _texts(examples) == [("notice", "HasBeenRestarted", "host-1 has been restarted"),
                                ("condition", "DiskIsFull", "Disk name-1 is full"),
                                ("condition", "FanIsBroken", "Fan name-1 is broken")]
    assert examples[0].payload["alerts"][0]["annotations"]["description"] == \
        "Uptime is less than 3 minutes."
    assert examples[0].source == "zabbix/community-templates:Applications"


def test_mirror_reads_many_files_in_one_process(tmp_path: Path, make_mirror):
    make_mirror(tmp_path, "someone/repo", {"a.txt": "alpha\n", "b/c.txt": "", "BGL/x.log": "held"})
    mirror = Mirror.open("someone/repo", tmp_path / "mirrors")
    assert list(mirror.read_many(["a.txt", "b/c.txt", "absent.txt", "BGL/x.log"])) == \
        [("a.txt", "alpha\n"), ("b/c.txt", "")]


def test_go_format_verbs_are_filled():
    assert fill_verbs('scaled %d pods on %s (%q) at %.2f') == \
        'scaled 3 pods on name-1 ("name-1") at 0.5'
