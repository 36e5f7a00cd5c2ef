"""Grouping by labels, cross-source correlation, escalation and re-notification rules."""

from __future__ import annotations

from datetime import timedelta


def test_alerts_group_by_alertname_and_service(make_gate, sig):
    gate = make_gate()
    a = gate.process(sig.alert("NodeDown", at=0, service="shop", instance="h1"))
    b = gate.process(sig.alert("NodeDown", at=1, service="shop", instance="h2"))
    c = gate.process(sig.alert("NodeDown", at=1, service="search", instance="h3"))
    d = gate.process(sig.alert("DiskFull", at=1, service="shop", instance="h1"))
    assert a.group_id == b.group_id
    assert len({a.group_id, c.group_id, d.group_id}) == 3
    assert a.new_group and not b.new_group


def test_alert_ticket_and_slack_report_correlate_into_one_group(make_gate, sig):
    gate = make_gate()
    a = gate.process(sig.alert("HighLatency", at=0, service="checkout", severity="critical"))
    t = gate.process(sig.ticket("cannot pay at checkout", at=10, service="checkout"))
    chat = sig.ticket("checkout is down for me", at=12, service="checkout").model_copy(
        update={"source": "slack"})
    s = gate.process(chat)
    far = gate.process(sig.ticket("checkout slow again", at=300, service="checkout"))
    other = gate.process(sig.ticket("vpn broken", at=11, service="vpn"))
    assert a.group_id == t.group_id == s.group_id
    assert t.correlated and s.correlated
    assert far.group_id != a.group_id and other.group_id != a.group_id
    assert len(gate.group(a.group_id).signal_ids) == 3


def test_ticket_first_then_alert_gives_the_same_group(make_gate, sig):
    gate = make_gate()
    t = gate.process(sig.ticket("cannot pay", at=0, service="checkout"))
    a = gate.process(sig.alert("HighLatency", at=2, service="checkout"))
    assert gate.group(t.group_id).group_id == a.group_id  # the ticket's group was merged


def test_group_id_does_not_depend_on_arrival_order(make_gate, sig):
    signals = [sig.alert("NodeDown", at=m, service="shop", instance=f"h{m}") for m in (0, 3, 6)]
    g1, g2 = make_gate(db="one.db"), make_gate(db="two.db")
    ids1 = {g1.process(s).group_id for s in signals}
    for s in reversed(signals):
        g2.process(s)
    assert len(ids1) == 1
    assert set(g2.memberships().values()) == ids1
    late = g2.group(g2.process(signals[0]).group_id)
    assert late.group_id == next(iter(ids1))


def test_escalation_raises_the_group_kind_and_keeps_a_timeline(make_gate, sig):
    gate = make_gate()
    first = sig.alert("HighLatency", at=0, service="checkout")
    out = gate.process(first)
    gate.after_decision(first, "alert", "P3")
    user = sig.ticket("checkout errors", at=5, service="checkout")
    gate.process(user)
    gate.after_decision(user, "incident", "P1")
    gate.after_decision(first, "event", "P5")  # never lowers
    group = gate.group(out.group_id)
    assert group.kind == "incident" and group.priority == "P1"
    assert any("escalated alert -> incident" in e.entry for e in group.timeline)
    assert [g.group_id for g in gate.open_groups(kind="incident")] == [out.group_id]


def test_new_alerts_batch_within_group_interval_and_resolves_notify(make_gate, sig):
    gate = make_gate({"grouping": {"group_interval": "5m", "repeat_interval": "1h"}})
    first = gate.process(sig.alert("NodeDown", at=0, service="s", instance="a"))
    batched = gate.process(sig.alert("NodeDown", at=2, service="s", instance="b"))
    next_tick = gate.process(sig.alert("NodeDown", at=6, service="s", instance="c"))
    quiet = gate.process(sig.alert("NodeDown", at=7, start=0, status="resolved", service="s",
                                   instance="a"))
    resolved = gate.process(sig.alert("NodeDown", at=12, start=2, status="resolved",
                                      service="s", instance="b"))
    last = gate.process(sig.alert("NodeDown", at=13, start=6, status="resolved", service="s",
                                  instance="c"))
    assert first.notify and not batched.notify and next_tick.notify
    assert "group_interval" in batched.notify_reason and "group_interval" in quiet.notify_reason
    assert not quiet.notify and resolved.notify and resolved.notify_reason == "resolved"
    assert last.notify and last.notify_reason == "group resolved"


def test_repeat_interval_renotifies_a_still_firing_alert(make_gate, sig):
    gate = make_gate({"grouping": {"repeat_interval": "1h"},
                      "noise": {"group_window": "3h"}})
    first = sig.alert("DiskFull", at=0, service="s")
    gate.process(first)
    resent = first.model_copy(update={"signal_id": "resent",
                                      "timestamp": first.timestamp + timedelta(minutes=30),
                                      "starts_at": first.timestamp + timedelta(minutes=30)})
    later = first.model_copy(update={"signal_id": "later",
                                     "timestamp": first.timestamp + timedelta(minutes=90),
                                     "starts_at": first.timestamp + timedelta(minutes=90)})
    assert not gate.process(resent).notify
    assert gate.process(later).notify_reason == "repeat_interval elapsed"


def test_group_closes_when_all_alerts_resolve(make_gate, sig):
    gate = make_gate()
    out = gate.process(sig.alert("NodeDown", at=0, service="s", instance="a"))
    gate.process(sig.alert("NodeDown", at=1, service="s", instance="b"))
    gate.process(sig.alert("NodeDown", at=3, start=0, status="resolved", service="s",
                           instance="a"))
    assert gate.group(out.group_id).status == "open"
    gate.process(sig.alert("NodeDown", at=4, start=1, status="resolved", service="s",
                           instance="b"))
    assert gate.group(out.group_id).status == "resolved"
    assert gate.open_groups() == []


def test_late_firing_after_its_resolve_is_stale(make_gate, sig):
    gate = make_gate()
    res = gate.process(sig.alert("X", at=5, start=0, status="resolved", service="s"))
    fire = gate.process(sig.alert("X", at=0, service="s"))
    assert res.group_id == fire.group_id
    assert not fire.notify and fire.notify_reason.startswith("stale")
    assert gate.group(fire.group_id).status == "resolved"


def test_metric_samples_do_not_chain_a_service_into_one_group(make_gate, sig):
    gate = make_gate()
    for m in range(0, 600, 10):  # a sample every 10 minutes all day
        gate.process(sig.sample("cpu_usage_percent", 40, at=m, service="shop"))
    morning = gate.process(sig.alert("HighLatency", at=5, service="shop"))
    evening = gate.process(sig.ticket("shop slow", at=500, service="shop"))
    assert morning.group_id != evening.group_id
    assert not gate.process(sig.ticket("shop still slow", at=6, service="shop")).new_group


def test_prune_forgets_closed_groups_and_old_dedup_keys(make_gate, sig):
    gate = make_gate()
    first = sig.alert("X", at=0, service="s")
    closed = gate.process(first)
    gate.process(sig.alert("X", at=5, start=0, status="resolved", service="s"))
    still = gate.process(sig.alert("Y", at=1, service="s"))
    assert gate.prune(sig.T0 + timedelta(hours=1)) == 1
    assert gate.group(closed.group_id) is None and gate.group(still.group_id) is not None
    again = gate.process(first.model_copy(update={"signal_id": "late-copy"}))
    assert again.duplicate_of is None  # its dedup key is gone: judged as new


def test_process_batch_decides_like_one_by_one(make_gate, sig):
    signals = [sig.alert("NodeDown", at=m, service="s", instance=f"h{m % 3}") for m in range(12)]
    signals += [sig.ticket("s is down", at=4, service="s")]
    one = make_gate(db="one.db")
    many = make_gate(db="many.db")
    assert [one.process(s) for s in signals] == many.process_batch(signals)


def test_after_decision_of_a_duplicate_escalates_the_original_group(make_gate, sig):
    gate = make_gate()
    first = sig.alert("Errors", at=0, service="checkout")
    out = gate.process(first)
    dup = first.model_copy(update={"signal_id": "again"})
    gate.process(dup)
    gate.after_decision(dup, "incident", "P2")
    assert gate.group(out.group_id).kind == "incident"
