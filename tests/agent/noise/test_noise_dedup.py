"""Dedup rules (CONTRACTS §1 duplicates) of the noise gate."""

from __future__ import annotations

from datetime import timedelta


def redeliver(signal, n: int):
    """The same signal delivered again under a new delivery id."""
    return signal.model_copy(update={"signal_id": f"{signal.signal_id}-r{n}"})


def test_same_payload_again_is_a_duplicate_of_the_first(make_gate, sig):
    gate = make_gate()
    first = sig.alert(service="checkout", instance="h1")
    a = gate.process(first)
    b = gate.process(redeliver(first, 1))
    assert a.duplicate_of is None and a.notify
    assert b.duplicate_of == first.signal_id
    assert b.group_id == a.group_id and not b.notify


def test_resolve_of_firing_alert_is_not_a_duplicate(make_gate, sig):
    gate = make_gate()
    gate.process(sig.alert(at=0, service="checkout", instance="h1"))
    out = gate.process(
        sig.alert(at=5, start=0, status="resolved", service="checkout", instance="h1"))
    assert out.duplicate_of is None
    assert out.notify and out.notify_reason == "group resolved"


def test_new_firing_after_resolve_is_not_a_duplicate(make_gate, sig):
    gate = make_gate()
    gate.process(sig.alert(at=0, service="checkout", instance="h1"))
    gate.process(sig.alert(at=5, start=0, status="resolved", service="checkout", instance="h1"))
    out = gate.process(sig.alert(at=7, service="checkout", instance="h1"))
    assert out.duplicate_of is None


def test_same_alertname_on_another_host_is_not_a_duplicate(make_gate, sig):
    gate = make_gate()
    gate.process(sig.alert(service="checkout", instance="h1"))
    out = gate.process(sig.alert(service="checkout", instance="h2"))
    assert out.duplicate_of is None


def test_another_dedup_key_is_not_a_duplicate_but_the_same_is(make_gate, sig):
    gate = make_gate()
    base = sig.ticket("disk full on db-1", at=0)
    one = base.model_copy(update={"source": "pagerduty", "dedup_key": "k1", "fingerprint": "k1",
                                  "starts_at": base.timestamp})
    gate.process(one)
    other = one.model_copy(update={"signal_id": "x2", "dedup_key": "k2", "fingerprint": "k2"})
    again = one.model_copy(update={"signal_id": "x3"})
    assert gate.process(other).duplicate_of is None
    assert gate.process(again).duplicate_of == one.signal_id


def test_signal_without_start_time_uses_its_timestamp(make_gate, sig):
    gate = make_gate()
    first = sig.ticket("VPN is down", at=0)
    gate.process(first)
    later = sig.ticket("VPN is down", at=30)  # same fingerprint, other timestamp
    assert gate.process(redeliver(first, 1)).duplicate_of == first.signal_id
    assert gate.process(later).duplicate_of is None


def test_redelivery_stamped_with_receipt_time_is_a_duplicate_by_payload(make_gate, sig):
    gate = make_gate()
    body = {"title": "printer on fire", "body": "3rd floor"}
    first = sig.ticket("printer on fire").model_copy(
        update={"raw": body, "timestamp": sig.T0, "received_at": sig.T0})
    again_at = sig.T0 + timedelta(seconds=7)
    later = first.model_copy(
        update={"signal_id": "again", "timestamp": again_at, "received_at": again_at})
    gate.process(first)
    assert gate.process(later).duplicate_of == first.signal_id


def test_outside_dedup_window_is_new(make_gate, sig):
    gate = make_gate({"noise": {"dedup_window": "1h"}})
    first = sig.alert(at=0, service="checkout", instance="h1")
    gate.process(first)
    late = first.model_copy(update={"signal_id": "late",
                                    "timestamp": first.timestamp + timedelta(hours=2)})
    assert gate.process(late).duplicate_of is None


def test_same_signal_id_processed_twice_gives_the_same_outcome(make_gate, sig):
    gate = make_gate()
    s = sig.alert(service="checkout")
    assert gate.process(s) == gate.process(s)
