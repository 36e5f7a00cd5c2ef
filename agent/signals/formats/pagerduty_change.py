"""PagerDuty Change Events API body (`POST /v2/change/enqueue`) → one deployment-context Signal.

A change event (a deploy, a config push, a feature flag) has no `event_action`: `routing_key`,
`payload.summary`, `payload.timestamp`, `payload.source`, `payload.custom_details` and `links`.
It becomes an info-level `pagerduty` signal with `action: change` and the label
`pagerduty_event=change`, so it is recorded as an event (nobody is paged) and correlates with
later alerts of the same service (custom_details `service`, `component` or `group`, else the
source) as what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.kernel.signal import Signal
from agent.signals.fingerprint import canonical_hash
from agent.signals.formats.alerting import Stamp, Text
from agent.signals.formats.common import (
    fail,
    from_validation_error,
    join_text,
    loose_str_map,
    require_object,
)
from agent.signals.formats.pagerduty import _details_text

SERVICE_KEYS = ("service", "component", "group")


class ChangePayload(BaseModel):
    """The `payload` of a change event (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow")

    summary: Text = None
    source: Text = None
    timestamp: Stamp = None
    custom_details: Any = None


class ChangeEvent(BaseModel):
    """A PagerDuty change event, field for field."""

    model_config = ConfigDict(extra="allow")

    routing_key: Text = None
    payload: ChangePayload
    links: list[Any] | None = None
    images: list[Any] | None = None


def parse_pagerduty_change(payload: Any, *, received_at: datetime,
                           new_id: Callable[[], str]) -> list[Signal]:
    """Parse a PagerDuty change event into one info-level signal (deployment context)."""
    body = require_object(payload, "payload")
    if "event_action" in body:
        fail("event_action", "not part of a change event; send alert events to /v2/enqueue")
    try:
        event = ChangeEvent.model_validate(body)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    change = event.payload
    if not change.summary:
        fail("payload.summary", "required for a change event")
    details = loose_str_map(change.custom_details)
    service = next((details[k] for k in SERVICE_KEYS if details.get(k)), None)
    links = [str(link.get("href")) for link in event.links or []
             if isinstance(link, dict) and link.get("href")]
    labels = {"pagerduty_event": "change", **({"service": service} if service else {})}
    return [Signal(
        signal_id=new_id(),
        source="pagerduty",
        fingerprint=canonical_hash("pagerduty-change", event.routing_key, change.summary,
                                   change.source, change.timestamp and change.timestamp.isoformat()
                                   ),
        status="firing",
        title=change.summary,
        text=join_text([change.summary, _details_text(change.custom_details), *links]),
        labels=labels,
        annotations=details,
        severity="info",
        service=service,
        host=change.source,
        starts_at=change.timestamp,
        timestamp=change.timestamp or received_at,
        received_at=received_at,
        action="change",
        raw=body,
    )]
