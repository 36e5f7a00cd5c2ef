"""Escalation on an injected clock: levels, repeats, quiet hours, overrides, retries
(crash safety: test_outbox_crash.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.config.escalation import IncidentsSection
from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor
from agent.incidents.runtime import IncidentResponse
from agent.incidents.webhook import WebhookNotifier
from agent.kernel.db import open_db
from tests.agent.incidents.conftest import T0, Receiver, with_escalation


def _response(config: OrgConfig, db: Path, clock: StreamClock | None = None
              ) -> IncidentResponse:
    return IncidentResponse.open(open_db(db), config, clock=clock or StreamClock(start=T0),
                                 notifiers=[WebhookNotifier()])


def _declare(response: IncidentResponse, priority: str = "P2", at=T0) -> str:  # noqa: ANN001
    return response.service.open("Checkout failing", priority, Actor("alice", "cli"),
                                 service="checkout-api", at=at).id


def _steps(response: IncidentResponse, incident_id: str) -> list[tuple[str, str, str]]:
    return [(e.at.strftime("%H:%M"), e.event, e.detail.split(":")[0])
            for e in response.service.get(incident_id).timeline
            if e.event in ("paged", "escalated")]


def test_levels_escalate_on_their_timeouts_then_repeat_then_stop(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    response = _response(with_escalation(demo_config, receiver.url), db)
    inc = _declare(response)
    response.tick(T0)
    assert _steps(response, inc) == [("09:00", "paged", "level 1 round 1")]
    response.tick(T0 + timedelta(minutes=4, seconds=59))
    assert len(_steps(response, inc)) == 1
    response.tick(T0 + timedelta(minutes=5))
    assert _steps(response, inc)[-1] == ("09:05", "escalated", "level 2 round 1")
    response.tick(T0 + timedelta(hours=2))
    assert _steps(response, inc) == [("09:00", "paged", "level 1 round 1"),
                                     ("09:05", "escalated", "level 2 round 1"),
                                     ("09:15", "escalated", "level 1 round 2"),
                                     ("09:20", "escalated", "level 2 round 2")]
    assert response.service.get(inc).escalations == 3
    assert receiver.keys() == [f"esc:{inc}:{i}:0" for i in range(4)]
    assert receiver.posts[1][1]["text"].startswith(f":rotating_light: {inc} P2")


def test_acknowledging_stops_escalation(demo_config: OrgConfig, db: Path,
                                        receiver: Receiver) -> None:
    response = _response(with_escalation(demo_config, receiver.url), db)
    inc = _declare(response)
    response.tick(T0 + timedelta(minutes=6))  # level 2 paged
    response.service.ack(inc, Actor("alice", "cli"), at=T0 + timedelta(minutes=7))
    response.tick(T0 + timedelta(hours=3))
    assert [s[1] for s in _steps(response, inc)] == ["paged", "escalated"]
    assert len(receiver.posts) == 2


def test_a_replay_ticking_once_escalates_exactly_as_a_live_run_ticking_every_minute(
        demo_config: OrgConfig, tmp_path: Path, receiver: Receiver) -> None:
    config = with_escalation(demo_config, receiver.url)
    live, replay = _response(config, tmp_path / "a.db"), _response(config, tmp_path / "b.db")
    a, b = _declare(live), _declare(replay)
    for minute in range(0, 61):
        live.tick(T0 + timedelta(minutes=minute))
    replay.tick(T0 + timedelta(minutes=60))
    assert _steps(live, a) == _steps(replay, b) and len(_steps(live, a)) == 4


def test_quiet_hours_defer_low_priorities_and_overrides_swap_the_responder(
        demo_config: OrgConfig, db: Path, receiver: Receiver) -> None:
    section = IncidentsSection.model_validate({
        "on_call": {"payments": ["U024BE7LH"]},
        "overrides": [{"user": "U024BE7LH", "by": "U0BACKUP1", "start": "2026-12-01T22:00:00Z",
                       "end": "2026-12-02T12:00:00Z"}],
        "escalation": [{"name": "payments", "team": "payments", "levels": [
            {"targets": [{"on_call": True}, {"webhook": receiver.url}], "timeout": "5m"}],
            "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "UTC",
                            "page": ["P1"]}}]})
    response = _response(demo_config.model_copy(update={"incidents": section}), db)
    night = T0.replace(hour=23)
    p3, p1 = _declare(response, "P3", night), _declare(response, "P1", night)
    response.tick(night + timedelta(hours=1))
    assert _steps(response, p3) == []  # waits for the end of quiet hours
    assert _steps(response, p1) == [("23:00", "paged", "level 1 round 1")]
    response.tick(night + timedelta(hours=9))
    assert _steps(response, p3) == [("07:00", "paged", "level 1 round 1")]
    paged = response.service.get(p1).timeline[-1].data["targets"]
    assert paged[0] == "slack_user:U0BACKUP1"  # the override answers for the on-call


def test_a_failing_target_is_retried_on_the_next_tick(demo_config: OrgConfig, db: Path,
                                                      receiver: Receiver) -> None:
    response = _response(with_escalation(demo_config, receiver.url), db)
    inc = _declare(response)
    receiver.fail_next = 1
    response.tick(T0)
    assert receiver.posts == [] and response.escalation.outbox.items("pending")
    response.tick(T0 + timedelta(seconds=10))
    assert receiver.keys() == [f"esc:{inc}:0:0"]


def test_bad_escalation_config_names_the_key(tmp_path: Path) -> None:
    from agent.config.loader import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text("incidents:\n  escalation:\n    - name: x\n      levels:\n"
                    "        - targets: [{slack_user: U1, webhook: 'http://x'}]\n")
    with pytest.raises(ConfigError, match="incidents.escalation.0.levels.0.targets.0"):
        load_config(path)
