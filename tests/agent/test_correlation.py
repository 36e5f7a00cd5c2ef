"""Correlated context through the real pipeline (SQLite store, LangGraph, offline reasoner).

Window around the signal's active period, depends_on neighbours, promotion of alerts and log
events by correlated impact, security confirmation by the same user or host, urgency.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from agent.config.org import OrgConfig
from agent.correlation import active_period, entities, neighbours, shares_entity
from agent.kernel.signal import Signal
from agent.pipeline import Pipeline
from agent.wiring import build_pipeline
from tests.support.payloads import am_body

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def config(demo_config: OrgConfig) -> OrgConfig:
    """The demo catalog with a dependency: checkout-api needs orders-db."""
    services = dict(demo_config.services)
    services["checkout-api"] = services["checkout-api"].model_copy(
        update={"depends_on": ["orders-db"]})
    return demo_config.model_copy(update={"services": services})


@pytest.fixture
def pipe(config: OrgConfig) -> Callable[[], Pipeline]:
    """A fresh in-memory pipeline whose receive clock starts at T0."""
    def build() -> Pipeline:
        ticks = iter(T0 + timedelta(seconds=n) for n in range(10_000))
        return build_pipeline(config=config, db_path=":memory:", checkpointer="none",
                              clock=lambda: next(ticks))
    return build


def _ticket(text: str, at: datetime) -> dict:
    return {"title": text.split(":")[0], "body": text, "reporter": "support-desk",
            "created_at": at.isoformat()}


def _alert(name: str, service: str, at: datetime, severity: str = "critical",
           summary: str = "") -> dict:
    return am_body(name, {"service": service, "severity": severity},
                   summary or f"{name} on {service}", at.isoformat(), f"fp-{name}-{service}")


def test_user_report_after_the_alert_start_promotes_it(pipe) -> None:
    p = pipe()
    report = p.triage(_ticket("Checkout failing: customers report errors on checkout-api",
                              T0 + timedelta(minutes=12)), fmt="ticket")[0]
    assert report.kind == "incident"
    alert = p.triage(_alert("ConnectionPoolExhausted", "checkout-api", T0))[0]
    assert alert.kind == "incident"
    assert report.signal_id in alert.rationale


def test_report_outside_the_window_does_not_promote(pipe) -> None:
    p = pipe()
    p.triage(_ticket("Checkout failing: customers report errors on checkout-api",
                     T0 + timedelta(hours=3)), fmt="ticket")
    alert = p.triage(_alert("ConnectionPoolExhausted", "checkout-api", T0))[0]
    assert alert.kind == "alert"


def test_depends_on_correlates_both_ways(pipe) -> None:
    p = pipe()
    p.triage(_ticket("Checkout failing: customers report errors on checkout-api", T0),
             fmt="ticket")
    db = p.triage(_alert("PostgresTooManyConnections", "orders-db", T0))[0]
    assert db.kind == "incident"  # the dependency behind the reported impact
    q = pipe()
    q.triage(_ticket("Reporting broken: users report errors on the reporting dashboards", T0),
             fmt="ticket")
    other = q.triage(_alert("PostgresTooManyConnections", "orders-db", T0))[0]
    assert other.kind == "alert"  # reporting does not depend on orders-db


def test_log_event_is_promoted_but_info_notification_is_not(pipe) -> None:
    p = pipe()
    p.triage(_ticket("Checkout failing: customers report errors on checkout-api", T0),
             fmt="ticket")
    line = {"line": "2026-12-01T09:01:00Z checkout-api ERROR upstream request failed",
            "labels": {"service": "checkout-api"}}
    log = p.triage(line, fmt="log")[0]
    assert (log.kind, log.event_type) == ("incident", "exception")
    info = p.triage(_alert("DeployFinished", "checkout-api", T0, severity="info",
                           summary="deploy of checkout-api v2.3 finished"))[0]
    assert info.kind == "event"


def test_correlated_incident_raises_urgency(pipe) -> None:
    p = pipe()
    p.triage(_ticket("Checkout down: nobody can check out, every payment fails", T0),
             fmt="ticket")
    alert = p.triage(_alert("CheckoutLatencyHigh", "checkout-api", T0, severity="warning",
                            summary="p99 latency above soft target"))[0]
    assert alert.kind == "incident"
    assert alert.urgency == "high"


def test_security_confirmation_by_the_same_user(pipe) -> None:
    p = pipe()
    slack = {"type": "message", "user": "U0ALICE", "ts": str((T0 + timedelta(minutes=5))
                                                             .timestamp()),
             "text": "The sign-in for jdoe from 203.0.113.7 was not me, someone logged in"}
    said = p.triage(slack, fmt="slack")[0]
    assert (said.kind, said.security) == ("incident", True)
    body = am_body("SuspiciousLogin", {"severity": "warning", "user": "jdoe"},
                   "Suspicious sign-in for user jdoe from a new country", T0.isoformat(), "fp-s")
    alert = p.triage(body)[0]
    assert (alert.kind, alert.security) == ("incident", True)
    q = pipe()
    q.triage(slack, fmt="slack")
    other = am_body("SuspiciousLogin", {"severity": "warning", "user": "mroe"},
                    "Suspicious sign-in for user mroe from a new country", T0.isoformat(), "fp-t")
    assert q.triage(other)[0].kind != "incident"  # another user's login stays unconfirmed


def test_neighbours_and_period(config: OrgConfig) -> None:
    assert neighbours("checkout-api", config) == ["checkout-api", "orders-db"]
    assert neighbours("orders-db", config) == ["orders-db", "checkout-api"]
    assert neighbours(None, config) == []
    s = Signal(signal_id="a", source="alertmanager", fingerprint="f", starts_at=T0,
               ends_at=T0 + timedelta(minutes=30), status="resolved",
               timestamp=T0 + timedelta(minutes=30), received_at=T0)
    assert active_period(s, timedelta(hours=1)) == (T0 - timedelta(hours=1),
                                                   T0 + timedelta(minutes=90))


def test_entities_from_labels_and_text() -> None:
    a = Signal(signal_id="a", source="log", fingerprint="f", timestamp=T0, received_at=T0,
               text="Failed password for invalid user admin from 198.51.100.4 port 22",
               host="bastion-1")
    assert {"198.51.100.4", "bastion-1"} <= entities(a)
    assert "admin" not in entities(a)  # generic account names identify nobody
    b = Signal(signal_id="b", source="slack", fingerprint="g", timestamp=T0, received_at=T0,
               text="those logins on bastion-1 were not me")
    assert shares_entity(a, b)
