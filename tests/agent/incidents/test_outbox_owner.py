"""An outbox claim names its process: a dead process's claim on this host is taken over at once,
a live one's (or another host's) only after the lease; the service's ticker ticks at start."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor
from agent.incidents.outbox import LEASE
from agent.incidents.runtime import IncidentResponse
from agent.kernel.db import open_db
from agent.kernel.owner import holder, holder_gone
from tests.agent.incidents.conftest import T0, Receiver, with_escalation

KEY = "esc:INC-1:0:0"


def _stranded(db: Path, config: OrgConfig, claimed_by: str) -> IncidentResponse:
    """A page row left `sending` by the process `claimed_by` names."""
    response = IncidentResponse.open(open_db(db), config, clock=StreamClock(start=T0))
    response.service.open("Checkout failing", "P2", Actor("alice", "cli"),
                          service="checkout-api", at=T0)
    outbox = response.escalation.outbox
    outbox.deliver = lambda *_: []  # type: ignore[method-assign]  # record the page, send none
    response.tick(T0)
    del outbox.deliver
    with response.service.store.tx() as conn:
        conn.execute("UPDATE incident_outbox SET state='sending', attempts=1, claimed_at=?, "
                     "claimed_by=? WHERE key=? AND state='pending'",
                     (T0.isoformat(), claimed_by, KEY))
    assert [(i.key, i.state) for i in outbox.items()] == [(KEY, "sending")]
    return response


def test_holder_gone_tells_dead_from_live_processes() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        host = socket.gethostname()
        assert holder_gone(f"{host} {dead.pid} sometoken")
        assert not holder_gone(f"{host} {live.pid} sometoken")
        assert not holder_gone(holder())  # this process
        assert holder_gone(holder().rsplit(" ", 1)[0] + " an-earlier-process")  # our pid, reused
        assert not holder_gone(f"other-host {dead.pid} sometoken")  # cannot tell: the lease
        assert not holder_gone(None)
    finally:
        live.kill()
        live.wait()


def test_a_dead_senders_claim_is_taken_over_at_once_a_live_ones_after_the_lease(
        demo_config: OrgConfig, tmp_path: Path, receiver: Receiver) -> None:
    from agent.incidents.webhook import WebhookNotifier

    config = with_escalation(demo_config, receiver.url)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    response = _stranded(tmp_path / "a.db", config, f"{socket.gethostname()} {dead.pid} tok")
    response.escalation.notifiers.append(WebhookNotifier())
    assert [i.key for i in response.escalation.deliver(T0 + timedelta(seconds=5))] == [KEY]

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        response = _stranded(tmp_path / "b.db", config, f"{socket.gethostname()} {live.pid} t")
        response.escalation.notifiers.append(WebhookNotifier())
        assert response.escalation.deliver(T0 + timedelta(seconds=5)) == []
        assert [i.key for i in response.escalation.deliver(T0 + LEASE)] == [KEY]
    finally:
        live.kill()
        live.wait()
    assert receiver.keys() == [KEY, KEY]  # one send per database


def test_the_service_ticker_sends_a_dead_processs_page_on_its_first_tick(
        demo_config: OrgConfig, tmp_path: Path, receiver: Receiver) -> None:
    from agent.incidents.webhook import WebhookNotifier
    from agent.service.routes_incidents import Ticker

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    response = _stranded(tmp_path / "t.db", with_escalation(demo_config, receiver.url),
                         f"{socket.gethostname()} {dead.pid} tok")
    response.escalation.notifiers.append(WebhookNotifier())
    service = SimpleNamespace(pipeline=SimpleNamespace(incidents=response))
    ticker = Ticker(service, interval_s=3600.0)  # type: ignore[arg-type]
    ticker.start()
    try:
        deadline = time.monotonic() + 10.0
        while receiver.keys() != [KEY] and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        ticker.stop()
    assert receiver.keys() == [KEY]  # sent at start, not after the hour's interval
    assert [(i.key, i.state) for i in response.escalation.outbox.items()] == [(KEY, "sent")]
    assert ticker._thread is not None and not ticker._thread.is_alive()  # stop() ended it
