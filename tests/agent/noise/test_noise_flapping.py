"""Flap detection: notify once when an alert starts flapping, then stay quiet."""

from __future__ import annotations


def test_flapping_alert_notifies_once(make_gate, sig):
    gate = make_gate({"noise": {"flap_threshold": 4, "flap_window": "1h"}})
    outs = []
    for i in range(5):  # fire at 0,10,20,.. and resolve 5 minutes later
        outs.append(gate.process(sig.alert("Flappy", at=10 * i, service="s")))
        outs.append(gate.process(sig.alert("Flappy", at=10 * i + 5, start=10 * i,
                                           status="resolved", service="s")))
    flags = [o.flapping for o in outs]
    assert flags[:4] == [False] * 4 and all(flags[4:])
    started = [o for o in outs if o.notify_reason.startswith("flapping:")]
    assert len(started) == 1 and started[0] is outs[4] and started[0].notify
    assert not any(o.notify for o in outs[5:])


def test_slow_state_changes_do_not_flap(make_gate, sig):
    gate = make_gate({"noise": {"flap_threshold": 4, "flap_window": "1h",
                                "group_window": "3h"}})
    outs = []
    for i in range(6):  # one cycle every 40 minutes: at most 3-4 changes per hour
        outs.append(gate.process(sig.alert("Slow", at=40 * i, service="s")))
        outs.append(gate.process(sig.alert("Slow", at=40 * i + 30, start=40 * i,
                                           status="resolved", service="s")))
    assert not any(o.flapping for o in outs)
    assert all(o.notify for o in outs[1::2])  # every resolve notifies
