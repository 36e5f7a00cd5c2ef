"""Incident events out as signed CloudEvents (CDEvents types) to a local receiver: tailing the
durable timeline, redelivery-safe ids, backoff, and the egress policy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agent.config.escalation import IncidentsSection
from agent.config.org import OrgConfig
from agent.config.targets import TargetsSection
from agent.incidents.clock import StreamClock
from agent.incidents.events_out import REPORTED, TYPES, sign
from agent.incidents.model import Actor
from agent.incidents.outbox import LEASE, Outbox
from agent.incidents.runtime import IncidentResponse
from agent.kernel.db import open_db
from tests.agent.incidents.conftest import T0, Receiver

SECRET = "whsec_dGVzdC1zZWNyZXQtZm9yLWV2ZW50cw=="
ENV = {"TRIAGE_EVENTS_SECRET": SECRET}
ALICE = Actor("alice", "cli")


class Crash(BaseException):
    """The process dies here."""


def _config(demo_config: OrgConfig, url: str, *, listed: bool = True) -> OrgConfig:
    port = urlsplit(url).port
    section = IncidentsSection.model_validate({"events": {
        "url": url, "source": "triage://acme/prod", "secret_env": "TRIAGE_EVENTS_SECRET"}})
    targets = TargetsSection.model_validate(
        {"egress": [{"host": "127.0.0.1", "ports": [port]}], "allow_networks": ["127.0.0.0/8"]}
        if listed else {})
    return demo_config.model_copy(update={"incidents": section, "targets": targets})


def _open(config: OrgConfig, db: Path, start=T0) -> IncidentResponse:  # noqa: ANN001
    return IncidentResponse.open(open_db(db), config, clock=StreamClock(start=start), env=ENV)


def _events(receiver: Receiver) -> list[dict]:
    return [body for _, body in receiver.posts]


def test_lifecycle_changes_go_out_as_signed_cloudevents(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    response = _open(_config(demo_config, receiver.url), db)
    inc = response.service.open("Checkout failing", "P2", ALICE, service="checkout-api",
                                at=T0).id
    response.tick(T0)
    response.service.ack(inc, ALICE, at=T0 + timedelta(minutes=3))
    response.tick(T0 + timedelta(minutes=3))
    response.service.resolve(inc, ALICE, at=T0 + timedelta(minutes=20), reason="rolled back")
    response.tick(T0 + timedelta(minutes=20))

    events = _events(receiver)
    changes = [e["data"]["customData"]["change"]["event"] for e in events]
    assert changes == ["opened", "acknowledged", "resolved"]
    assert [e["type"] for e in events] == [REPORTED, "dev.triage.incident.changed.0.1.0",
                                           TYPES["resolved"]]
    first = events[0]
    assert {k: first[k] for k in ("specversion", "source", "subject", "time",
                                  "datacontenttype")} == {
        "specversion": "1.0", "source": "triage://acme/prod", "subject": inc,
        "time": "2026-12-01T09:00:00Z", "datacontenttype": "application/json"}
    assert first["data"]["subject"]["content"]["service"] == {"id": "checkout-api"}
    assert first["data"]["context"]["id"] == first["id"]
    assert events[2]["data"]["customData"]["change"]["reason"] == "rolled back"
    assert len({e["id"] for e in events}) == 3

    for (headers, raw), event in zip(receiver.raw, events, strict=True):
        assert headers["content-type"].startswith("application/cloudevents+json")
        assert headers["webhook-id"] == event["id"]
        expected = sign(SECRET, event["id"], int(headers["webhook-timestamp"]), raw)
        assert headers["webhook-signature"] == expected
        assert json.loads(raw) == event


def test_an_entry_committed_before_a_crash_is_exported_once_after_it(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    config = _config(demo_config, receiver.url)
    first = _open(config, db)
    inc = first.service.open("Checkout failing", "P2", ALICE, service="checkout-api",
                             at=T0).id  # committed; the process dies before any tick
    restarted = _open(config, db, T0 + timedelta(seconds=5))
    restarted.tick(T0 + timedelta(seconds=5))
    restarted.tick(T0 + timedelta(seconds=10))
    assert [e["subject"] for e in _events(receiver)] == [inc]


def test_a_crash_after_the_post_redelivers_under_the_same_event_id(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    config = _config(demo_config, receiver.url)
    first = _open(config, db)

    class SendThenCrash(Outbox):
        def mark_sent(self, item, now):  # noqa: ANN001, ANN201
            raise Crash

    first.escalation.outbox = SendThenCrash(first.escalation.outbox.store)
    first.events.outbox = first.escalation.outbox
    first.service.open("Checkout failing", "P2", ALICE, service="checkout-api", at=T0)
    with pytest.raises(Crash):
        first.tick(T0)
    restarted = _open(config, db, T0 + LEASE + timedelta(seconds=1))
    restarted.tick(T0 + LEASE + timedelta(seconds=1))
    ids = [e["id"] for e in _events(receiver)]
    assert len(ids) == 2 and ids[0] == ids[1]  # at-least-once, one id: receivers dedupe on it
    assert receiver.acted == [receiver.keys()[0]]
    assert [r.state for r in restarted.escalation.outbox.items()] == ["sent"]


def test_a_failing_receiver_is_retried_with_backoff(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    response = _open(_config(demo_config, receiver.url), db)
    response.service.open("Checkout failing", "P2", ALICE, service="checkout-api", at=T0)
    receiver.fail_next = 2
    response.tick(T0)  # attempt 1 fails: next try 5 s later
    response.tick(T0 + timedelta(seconds=2))  # not due yet
    assert receiver.fail_next == 1
    response.tick(T0 + timedelta(seconds=5))  # attempt 2 fails: next try 10 s later
    response.tick(T0 + timedelta(seconds=14))
    assert receiver.posts == [] and receiver.fail_next == 0
    response.tick(T0 + timedelta(seconds=15))
    assert len(receiver.posts) == 1
    [row] = response.escalation.outbox.items()
    assert (row.state, row.attempts) == ("sent", 3)


def test_a_destination_outside_the_egress_policy_gets_nothing(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    response = _open(_config(demo_config, receiver.url, listed=False), db)
    response.service.open("Checkout failing", "P2", ALICE, service="checkout-api", at=T0)
    response.tick(T0)
    response.tick(T0 + timedelta(minutes=10))
    assert receiver.posts == []
    [row] = response.escalation.outbox.items()
    assert row.state == "failed" and "egress policy" in (row.error or "")
    assert row.attempts == 1  # refused once, never retried


def _notifier_resolving_to(address: str, receiver: Receiver):  # noqa: ANN202
    """A notifier whose policy's resolver answers `address` for localhost (the vetted answer)."""
    from agent.config.escalation import EventsOut
    from agent.incidents.events_out import CloudEventsNotifier
    from tools.egress import EgressPolicy

    port = urlsplit(receiver.url).port
    url = f"http://localhost:{port}/page"
    targets = TargetsSection.model_validate(
        {"egress": [{"host": "localhost", "ports": [port]}], "allow_networks": ["127.0.0.0/8"]})
    policy = EgressPolicy.from_targets(targets)
    policy.resolver = lambda host, p, *a: [(2, 1, 6, "", (address, p))]
    return CloudEventsNotifier(EventsOut(url=url, secret_env=None), policy, {}), url


def test_the_post_reaches_only_the_address_the_policy_vetted(receiver: Receiver) -> None:
    from agent.incidents.outbox import OutboxItem

    item = lambda url: OutboxItem(key="ev-1", incident_id="INC-1", kind="status",  # noqa: E731
                                  target=f"cloudevents:{url}", payload={"id": "ev-1"}, due_at=T0)
    vetted, url = _notifier_resolving_to("127.0.0.1", receiver)  # the system's answer too
    vetted.send(item(url))
    assert receiver.keys() == ["ev-1"]
    # The name answered 127.0.0.9 when it was checked and 127.0.0.1 when the client connected
    # (DNS rebinding): the guard refuses the connection, nothing arrives.
    rebound, url = _notifier_resolving_to("127.0.0.9", receiver)
    with pytest.raises(Exception, match="egress guard"):
        rebound.send(item(url))
    assert receiver.keys() == ["ev-1"]
