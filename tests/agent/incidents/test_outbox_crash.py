"""A crash at every point of an escalation page's send, on the injected clock, for webhook and
Slack targets: nothing is lost, nothing is acted on twice; racing senders send once.

The crash is a BaseException raised at the point (nothing in the outbox catches it, and an open
SQLite transaction rolls back exactly as when a process dies); the "restarted process" is a new
IncidentResponse on the same database file with a fresh clock.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from agent.config.escalation import IncidentsSection
from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor
from agent.incidents.outbox import LEASE, Notifier, Outbox, OutboxItem
from agent.incidents.runtime import IncidentResponse
from agent.incidents.webhook import WebhookNotifier
from agent.kernel.db import open_db
from agent.slack.incident_flow import PAGE_EVENT, SlackIncidentFlow
from agent.slack.posts import SlackPostLog
from tests.agent.incidents.conftest import T0, Receiver, with_escalation
from tests.support.slack_api import SlackApiStandIn

POINTS = ("while_recording", "before_claim", "after_claim", "after_send", "after_commit")
LEAD = "U0PAYLEAD"
KEY = "esc:INC-1:0:0"


class Crash(BaseException):
    """The process dies here."""


class CrashingOutbox(Outbox):
    """The real outbox with a crash at one named point of the send."""

    def __init__(self, outbox: Outbox, point: str) -> None:
        super().__init__(outbox.store, outbox.lease)
        self.point = point

    def add(self, item: OutboxItem, created):  # noqa: ANN001, ANN201
        added = super().add(item, created)
        if self.point == "while_recording":
            raise Crash  # inside the step's transaction: outbox row and timeline roll back
        return added

    def claim(self, item: OutboxItem, now):  # noqa: ANN001, ANN201
        if self.point == "before_claim":
            raise Crash
        claimed = super().claim(item, now)
        if self.point == "after_claim":
            raise Crash  # claimed (committed), nothing sent yet
        return claimed

    def mark_sent(self, item: OutboxItem, now):  # noqa: ANN001, ANN201
        if self.point == "after_send":
            raise Crash  # delivered, the commit never happened
        done = super().mark_sent(item, now)
        if self.point == "after_commit":
            raise Crash
        return done


class SlackTarget:
    """The Slack Web API stand-in and a real WebClient-backed SlackIncidentFlow notifier."""

    def __init__(self) -> None:
        self.api = SlackApiStandIn().start()

    def notifier(self, response: IncidentResponse, config: OrgConfig, db: Path) -> Notifier:
        """A SlackIncidentFlow delivering pages (not attached: pages only)."""
        client = WebClient(token="xoxb-test", base_url=self.api.base_url)
        return SlackIncidentFlow(client, config, response, SlackPostLog(open_db(db)))

    def posts(self) -> list[str]:
        """Page keys of every chat.postMessage that arrived."""
        return [c.body["metadata"]["event_payload"]["key"]
                for c in self.api.calls("chat.postMessage")
                if (c.body.get("metadata") or {}).get("event_type") == PAGE_EVENT]


def _config(demo_config: OrgConfig, kind: str, receiver: Receiver) -> OrgConfig:
    if kind == "webhook":
        return with_escalation(demo_config, receiver.url)
    section = IncidentsSection.model_validate({"escalation": [
        {"name": "payments", "team": "payments", "levels": [
            {"targets": [{"slack_user": LEAD}], "timeout": "5m"},
            {"targets": [{"slack_user": "U0SECOND"}], "timeout": "10m"}]}]})
    return demo_config.model_copy(update={"incidents": section})


def _start(config: OrgConfig, db: Path, kind: str, slack: SlackTarget | None,
           clock_at) -> IncidentResponse:  # noqa: ANN001
    response = IncidentResponse.open(open_db(db), config, clock=StreamClock(start=clock_at))
    if kind == "webhook":
        response.escalation.notifiers.append(WebhookNotifier())
    else:
        assert slack is not None
        response.escalation.notifiers.append(slack.notifier(response, config, db))
    return response


@pytest.fixture
def slack() -> SlackTarget:
    """The Slack stand-in (stopped afterwards)."""
    target = SlackTarget()
    yield target
    target.api.stop()


@pytest.mark.parametrize("kind", ["webhook", "slack"])
@pytest.mark.parametrize("point", POINTS)
def test_a_crash_at_any_point_of_a_send_loses_nothing_and_acts_once(
        demo_config: OrgConfig, db: Path, receiver: Receiver, slack: SlackTarget,
        point: str, kind: str) -> None:
    config = _config(demo_config, kind, receiver)
    first = _start(config, db, kind, slack, T0)
    first.escalation.outbox = CrashingOutbox(first.escalation.outbox, point)
    inc = first.service.open("Checkout failing", "P2", Actor("alice", "cli"),
                             service="checkout-api", at=T0).id
    assert inc == "INC-1"
    with pytest.raises(Crash):
        first.tick(T0)

    def delivered() -> list[str | None]:
        return receiver.keys() if kind == "webhook" else slack.posts()

    sent_before_restart = list(delivered())
    assert sent_before_restart == ([KEY] if point in ("after_send", "after_commit") else [])

    restarted = _start(config, db, kind, slack, T0 + timedelta(seconds=30))
    restarted.tick(T0 + timedelta(seconds=30))
    if point in ("after_claim", "after_send"):
        # a claimed row may still be in flight in a live sender: untouched within its lease
        assert delivered() == sent_before_restart
    restarted.tick(T0 + LEASE + timedelta(seconds=1))
    restarted.tick(T0 + LEASE + timedelta(minutes=1))

    # nothing lost: the step is recorded once and its page committed as sent
    steps = [e for e in restarted.service.get(inc).timeline if e.event in ("paged", "escalated")]
    assert [(e.at, e.event, e.data["key"]) for e in steps] == [(T0, "paged", f"esc:{inc}:0")]
    rows = restarted.escalation.outbox.items(incident_id=inc)
    assert [(r.key, r.state) for r in rows] == [(KEY, "sent")]
    if kind == "slack":
        assert slack.posts() == [KEY]  # Slack is asked first: never posted twice
    else:
        assert receiver.acted == [KEY]  # the receiver acts once
        if point == "after_send":  # at-least-once: one redelivery, same key, next attempt
            assert receiver.keys() == [KEY, KEY] and receiver.attempts == ["1", "2"]
        else:
            assert receiver.keys() == [KEY]

    # and escalation carries on normally afterwards
    restarted.tick(T0 + timedelta(minutes=5))
    assert [r.key for r in restarted.escalation.outbox.items("sent")] == [KEY, f"esc:{inc}:1:0"]


def test_two_workers_racing_for_the_same_page_send_it_once(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    config = with_escalation(demo_config, receiver.url)
    workers = [_start(config, db, "webhook", None, T0) for _ in range(2)]
    workers[0].service.open("Checkout failing", "P2", Actor("alice", "cli"),
                            service="checkout-api", at=T0)
    receiver.delay_s = 0.3  # both workers read the row as pending before either finishes
    ready = threading.Barrier(2)

    def run(worker: IncidentResponse) -> None:
        ready.wait()
        worker.tick(T0)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for worker in workers:
        worker.tick(T0 + timedelta(seconds=10))
    assert receiver.keys() == [KEY]
    assert [(r.key, r.state, r.attempts) for r in workers[1].escalation.outbox.items()] == [
        (KEY, "sent", 1)]


def test_a_claim_older_than_its_lease_is_recovered_by_another_worker(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    config = with_escalation(demo_config, receiver.url)
    a = _start(config, db, "webhook", None, T0)
    a.service.open("Checkout failing", "P2", Actor("alice", "cli"), service="checkout-api",
                   at=T0)
    a.escalation.outbox = CrashingOutbox(a.escalation.outbox, "after_claim")
    with pytest.raises(Crash):
        a.tick(T0)
    b = _start(config, db, "webhook", None, T0)
    assert b.escalation.deliver(T0 + LEASE - timedelta(seconds=1)) == []
    assert [i.key for i in b.escalation.deliver(T0 + LEASE)] == [KEY]
    assert receiver.keys() == [KEY]
