"""Maintenance windows, silences and inhibition (Alertmanager semantics)."""

from __future__ import annotations

from datetime import timedelta

MAINT = {"maintenance": [{"match": {"service": "orders-db"}, "start": "2026-12-01T01:00:00Z",
                          "end": "2026-12-01T03:00:00Z", "reason": "PostgreSQL minor upgrade"}]}
INHIBIT = {"inhibit_rules": [{"source_matchers": ['severity="critical"', 'alertname="NodeDown"'],
                              "target_matchers": ['severity="warning"'], "equal": ["instance"]}]}


def test_maintenance_inside_window_suppresses(make_gate, sig):
    gate = make_gate(MAINT)
    out = gate.process(sig.alert("DBSlow", at=90, service="orders-db"))
    assert out.maintenance and out.suppressed_by == "maintenance:PostgreSQL minor upgrade"
    assert not out.notify


def test_maintenance_start_is_inclusive_end_exclusive(make_gate, sig):
    gate = make_gate(MAINT)
    assert gate.process(sig.alert("A", at=60, service="orders-db")).maintenance
    assert not gate.process(sig.alert("B", at=180, service="orders-db")).maintenance
    assert not gate.process(sig.alert("C", at=59.9, service="orders-db")).maintenance


def test_maintenance_for_other_service_does_not_apply(make_gate, sig):
    gate = make_gate(MAINT)
    out = gate.process(sig.alert("DBSlow", at=90, service="checkout"))
    assert not out.maintenance and out.suppressed_by is None and out.notify


def test_maintenance_without_reason_is_named_by_index(make_gate, sig):
    cfg = {"maintenance": [{"match_re": {"service": "orders-.*"},
                            "start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z"}]}
    gate = make_gate(cfg)
    assert gate.process(sig.alert(at=5, service="orders-api")).suppressed_by == "maintenance:0"


def test_runtime_window_applies_and_expires(make_gate, sig):
    gate = make_gate()
    w = gate.add_window(['service="search"'], sig.T0, sig.T0 + timedelta(hours=1),
                        "reindex", "alice")
    assert gate.process(sig.alert("A", at=10, service="search")).suppressed_by == \
        "maintenance:reindex"
    assert gate.expire(w.id, sig.T0 + timedelta(minutes=20))
    assert gate.process(sig.alert("B", at=30, service="search")).suppressed_by is None
    assert [x.id for x in gate.list_windows()] == [w.id]


def test_silence_with_matchers(make_gate, sig):
    gate = make_gate()
    s = gate.add_silence(['alertname=~"Disk.*"', 'env!="prod"'], sig.T0,
                         sig.T0 + timedelta(hours=2), "known issue", "bob")
    hit = gate.process(sig.alert("DiskFull", at=5, env="staging", service="a"))
    prod = gate.process(sig.alert("DiskFull", at=5, env="prod", service="a"))
    other = gate.process(sig.alert("CPUHigh", at=5, env="staging", service="a"))
    assert hit.suppressed_by == f"silence:{s.id}" and not hit.maintenance and not hit.notify
    assert prod.suppressed_by is None and other.suppressed_by is None


def test_inhibition_needs_equal_labels(make_gate, sig):
    gate = make_gate(INHIBIT)
    gate.process(sig.alert("NodeDown", at=0, severity="critical", instance="n1", service="s"))
    same = gate.process(sig.alert("DiskSlow", at=1, severity="warning", instance="n1",
                                  service="s"))
    other = gate.process(sig.alert("DiskSlow", at=1, severity="warning", instance="n2",
                                   service="s"))
    assert same.suppressed_by == "inhibited:NodeDown" and not same.notify
    assert not same.maintenance
    assert other.suppressed_by is None


def test_a_signal_never_inhibits_itself(make_gate, sig):
    cfg = {"inhibit_rules": [{"source_matchers": ['alertname="X"'],
                              "target_matchers": ['alertname="X"'], "equal": ["service"]}]}
    gate = make_gate(cfg)
    first = gate.process(sig.alert("X", at=0, service="s", instance="a"))
    again = gate.process(sig.alert("X", at=2, start=0, status="resolved", service="s",
                                   instance="a"))  # its own firing is an active source
    second = gate.process(sig.alert("X", at=1, service="s", instance="b"))
    assert first.suppressed_by is None and again.suppressed_by is None
    # two-sided rule: a source that also matches the target side cannot inhibit
    assert second.suppressed_by is None


def test_inhibition_ends_when_source_resolves(make_gate, sig):
    gate = make_gate(INHIBIT)
    gate.process(sig.alert("NodeDown", at=0, severity="critical", instance="n1"))
    gate.process(sig.alert("NodeDown", at=5, start=0, status="resolved", severity="critical",
                           instance="n1"))
    out = gate.process(sig.alert("DiskSlow", at=6, severity="warning", instance="n1"))
    assert out.suppressed_by is None


def test_resolve_of_silenced_source_clears_inhibition_and_closes_group(make_gate, sig):
    """Alertmanager #2754: a resolve for a silenced/inhibited alert still updates state."""
    gate = make_gate(INHIBIT)
    gate.add_silence(['alertname="NodeDown"'], sig.T0, sig.T0 + timedelta(hours=1), "", "x")
    src = gate.process(sig.alert("NodeDown", at=0, severity="critical", instance="n1"))
    tgt = gate.process(sig.alert("DiskSlow", at=1, severity="warning", instance="n1"))
    assert src.suppressed_by.startswith("silence:")
    assert tgt.suppressed_by == "inhibited:NodeDown"  # silenced sources still inhibit
    res_tgt = gate.process(sig.alert("DiskSlow", at=3, start=1, status="resolved",
                                     severity="warning", instance="n1"))
    res_src = gate.process(sig.alert("NodeDown", at=4, start=0, status="resolved",
                                     severity="critical", instance="n1"))
    assert res_src.suppressed_by.startswith("silence:")
    assert res_tgt.suppressed_by == "inhibited:NodeDown"
    assert gate.group(src.group_id).status == "resolved"
    assert gate.group(tgt.group_id).status == "resolved"
    assert gate.group(src.group_id).firing == []
    after = gate.process(sig.alert("DiskSlow", at=5, severity="warning", instance="n1"))
    assert after.suppressed_by is None


def test_resolve_after_window_of_a_muted_alert_clears_quietly(make_gate, sig):
    gate = make_gate(MAINT)
    fired = gate.process(sig.alert("DBSlow", at=170, service="orders-db"))
    resolved = gate.process(sig.alert("DBSlow", at=185, start=170, status="resolved",
                                      service="orders-db"))
    assert fired.maintenance and resolved.suppressed_by is None  # 03:05 is outside the window
    assert not resolved.notify and "suppressed alert" in resolved.notify_reason
    assert gate.group(fired.group_id).status == "resolved"


def test_a_source_that_started_after_the_target_still_inhibits(make_gate, sig):
    """Inhibition is evaluated when the target is processed, whichever alert started first."""
    gate = make_gate(INHIBIT)
    gate.process(sig.alert("NodeDown", at=10, severity="critical", instance="n1"))
    late = gate.process(sig.alert("DiskSlow", at=3, severity="warning", instance="n1"))
    assert late.suppressed_by == "inhibited:NodeDown"
