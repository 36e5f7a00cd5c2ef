"""Ticket fixtures: the three vendor stand-ins, a real pipeline, a runtime over both."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent.config.org import OrgConfig
from agent.config.tickets import TicketsSection
from agent.kernel.db import open_db
from agent.kernel.decision import Decision
from agent.pipeline import Pipeline
from agent.tickets.incident_link import IncidentStoreLookup
from agent.tickets.outbox import TicketStore
from agent.tickets.runtime import TicketsRuntime
from agent.wiring import build_pipeline
from tests.support.jira_api import JiraStandIn
from tests.support.servicenow_api import ServiceNowStandIn
from tests.support.zendesk_api import ZendeskStandIn

ENV = {"JIRA_USER": "triage@acme.example", "JIRA_TOKEN": "jira-api-token",
       "SN_USER": "triage.integration", "SN_PASS": "sn-pass", "ZD_USER": "ops@acme.example/token",
       "ZD_TOKEN": "zd-api-token"}


@dataclass
class Clock:
    """A manual clock for the outbox's retry schedule."""

    now: float = 1_764_580_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """What the HTTP client would have slept (recorded, not slept)."""
        self.sleeps.append(seconds)

    def advance(self, seconds: float) -> None:
        """Move time on."""
        self.now += seconds


@pytest.fixture
def jira() -> Iterator[JiraStandIn]:
    """The Jira Cloud stand-in (basic auth: email + API token)."""
    with JiraStandIn(user=ENV["JIRA_USER"], password=ENV["JIRA_TOKEN"]) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def snow() -> Iterator[ServiceNowStandIn]:
    """The ServiceNow Table API stand-in (basic auth)."""
    with ServiceNowStandIn(user=ENV["SN_USER"], password=ENV["SN_PASS"]) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
def zendesk() -> Iterator[ZendeskStandIn]:
    """The Zendesk Support API stand-in (basic auth: email/token + API token)."""
    with ZendeskStandIn(user=ENV["ZD_USER"], password=ENV["ZD_TOKEN"]) as server:
        yield server  # type: ignore[misc]


def instances(jira: str, snow: str, zendesk: str, **overrides: Any) -> dict[str, Any]:
    """The three instances pointing at the stand-ins."""
    common = {"timeout_s": 2.0, "max_retries": 3, "backoff_base_s": 0.5, "max_attempts": 4}
    doc = {"instances": {
        "acme-jira": {"system": "jira", "base_url": jira, **common,
                      "auth": {"username_env": "JIRA_USER", "password_env": "JIRA_TOKEN"},
                      "mapping": {"groups": {"payments": "Payments", "platform": "Platform"},
                                  "issue_type": {"incident": "Incident",
                                                 "request": "Service Request"}},
                      "integration_user": "triage@acme.example"},
        "acme-snow": {"system": "servicenow", "base_url": snow, **common,
                      "auth": {"username_env": "SN_USER", "password_env": "SN_PASS"},
                      "mapping": {"groups": {"platform": "Platform Ops",
                                             "payments": "Payments"}},
                      "integration_user": "triage.integration"},
        "acme-zd": {"system": "zendesk", "base_url": zendesk, **common,
                    "auth": {"username_env": "ZD_USER", "password_env": "ZD_TOKEN"},
                    "mapping": {"groups": {"payments": "360001", "platform": "360002"}}},
    }}
    for name, patch in overrides.items():
        doc["instances"][name.replace("_", "-")].update(patch)
    return doc


@dataclass
class Rig:
    """A real pipeline, its ticket runtime and the clock, on one tmp database."""

    pipeline: Pipeline
    runtime: TicketsRuntime
    clock: Clock
    db: Path

    def triage(self, payload: Any, system: str, instance: str,
               key: str | None = None) -> list[Decision]:
        """Ingest like a webhook delivery: store, decide, hand decisions to the write-back."""
        decisions = self.pipeline.triage(payload, system, delivery_key=key)
        self.runtime.store.remember_signals(instance, [d.signal_id for d in decisions])
        for decision in decisions:
            self.runtime.writeback.on_decision(decision)
        return decisions

    def drain(self, rounds: int = 10, step_s: float = 3600.0) -> dict[str, int]:
        """Drain, moving the clock past every retry delay between rounds."""
        total = {"sent": 0, "failed": 0, "parked": 0}
        for _ in range(rounds):
            report = self.runtime.writeback.drain()
            for key, value in report.items():
                total[key] += value
            if not any(report.values()):
                break
            self.clock.advance(step_s)
        return total


@pytest.fixture
def make_rig(demo_config: OrgConfig, tmp_path: Path, jira: JiraStandIn, snow: ServiceNowStandIn,
             zendesk: ZendeskStandIn) -> Iterator[Callable[..., Rig]]:
    """Build a Rig (call again for a 'restarted process' on the same database)."""
    built: list[TicketsRuntime] = []
    counter = itertools.count()

    def make(env: dict[str, str] | None = None, clock: Clock | None = None, cases: Any = None,
             **overrides: Any) -> Rig:
        section = TicketsSection.model_validate(instances(jira.base_url, snow.base_url,
                                                          zendesk.base_url, **overrides))
        config = demo_config.model_copy(update={"tickets": section})
        db = tmp_path / "t.db"
        pipeline = build_pipeline(config=config, db_path=db, checkpointer="none",
                                  id_prefix=f"s{next(counter)}")
        clock = clock or Clock()
        runtime = TicketsRuntime(section, TicketStore(open_db(db)), pipeline.store,
                                 env=lambda: env or ENV, cases=cases, clock=clock,
                                 incidents=IncidentStoreLookup(open_db(db)), sleep=clock.sleep)
        built.append(runtime)
        return Rig(pipeline, runtime, clock, db)

    yield make
    for runtime in built:
        runtime.clients.close()
