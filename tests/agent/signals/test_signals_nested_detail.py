"""Generic JSON with a nested `detail` object (EventBridge / AWS Health style) is accepted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.kernel.errors import SignalParseError
from agent.signals.parse import parse_payload

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEALTH = {"version": "0", "id": "e-1", "detail-type": "AWS Health Event", "source": "aws.health",
          "account": "111122223333", "time": "2026-11-23T06:27:57Z", "region": "eu-west-1",
          "resources": ["i-0abc"],
          "detail": {"service": "EC2", "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                     "eventTypeCategory": "scheduledChange",
                     "eventDescription": [{"language": "en_US",
                                           "latestDescription": "Instance i-0abc will be "
                                                                "retired on 2026-12-01"}]}}


def _ids():
    n = iter(range(100))
    return lambda: f"s{next(n)}"


def test_nested_detail_is_detected_and_lifted() -> None:
    [s] = parse_payload(HEALTH, "auto", received_at=T0, new_id=_ids())
    assert s.source == "generic"
    assert s.title == "AWS Health Event"
    assert "will be retired" in s.text
    assert s.labels["eventTypeCode"] == "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"
    assert s.labels["origin"] == "aws.health"
    assert s.timestamp == datetime(2026, 11, 23, 6, 27, 57, tzinfo=UTC)
    assert s.raw == HEALTH


def test_object_without_any_text_is_still_rejected() -> None:
    with pytest.raises(SignalParseError):
        parse_payload({"id": "x", "detail": {"count": 3}}, "auto", received_at=T0,
                      new_id=_ids())
