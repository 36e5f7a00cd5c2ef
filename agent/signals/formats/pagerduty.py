"""PagerDuty Events API v2 body → one Signal.

Mapping: status = resolved for `resolve`, else firing (`action` keeps the event_action);
fingerprint = dedup_key (else a hash of routing_key, summary, source, component, group, class);
service = payload.component, else payload.group (PagerDuty's "logical grouping of components");
host = payload.source; severity = payload.severity; labels = component/group/class;
annotations = the scalar custom_details; text = summary plus custom_details rendered as lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

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


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class PagerDutyPayload(BaseModel):
    """The `payload` object of a PagerDuty v2 event (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    summary: Text = None
    source: Text = None
    severity: Annotated[Literal["critical", "error", "warning", "info"] | None,
                        BeforeValidator(_lower)] = None
    timestamp: Stamp = None
    component: Text = None
    group: Text = None
    class_: Text = Field(None, alias="class")
    custom_details: Any = None


class PagerDutyEvent(BaseModel):
    """A PagerDuty Events API v2 body, field for field (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    routing_key: Text = None
    event_action: Annotated[Literal["trigger", "acknowledge", "resolve"], BeforeValidator(_lower)]
    dedup_key: Text = None
    payload: PagerDutyPayload | None = None
    images: list[Any] | None = None
    links: list[Any] | None = None
    client: Text = None
    client_url: Text = None


def _details_text(details: Any) -> str:
    if details is None:
        return ""
    if isinstance(details, str):
        return details
    if isinstance(details, dict):
        lines = []
        for key, value in details.items():
            rendered = value if isinstance(value, str) else json.dumps(value, default=str)
            lines.append(f"{key}: {rendered}")
        return "\n".join(lines)
    return json.dumps(details, default=str)


def parse_pagerduty(payload: Any, *, received_at: datetime,
                    new_id: Callable[[], str]) -> list[Signal]:
    """Parse a PagerDuty Events API v2 body into one Signal."""
    body = require_object(payload, "payload")
    try:
        event = PagerDutyEvent.model_validate(body)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    pd = event.payload
    if event.event_action == "trigger" and (pd is None or not pd.summary):
        fail("payload.summary", "required for a trigger event")
    if event.event_action != "trigger" and not event.dedup_key:
        fail("dedup_key", f"required for a {event.event_action} event")
    pd = pd or PagerDutyPayload()
    labels = {key: value for key, value in
              (("component", pd.component), ("group", pd.group), ("class", pd.class_))
              if value}
    fingerprint = event.dedup_key or canonical_hash(
        "pagerduty", event.routing_key, pd.summary, pd.source, pd.component, pd.group, pd.class_)
    title = pd.summary or f"{event.event_action} {event.dedup_key}"
    return [Signal(
        signal_id=new_id(),
        source="pagerduty",
        fingerprint=fingerprint,
        status="resolved" if event.event_action == "resolve" else "firing",
        title=title,
        text=join_text([pd.summary, _details_text(pd.custom_details)]),
        labels=labels,
        annotations=loose_str_map(pd.custom_details),
        severity=pd.severity,
        service=pd.component or pd.group,
        host=pd.source,
        starts_at=pd.timestamp,
        timestamp=pd.timestamp or received_at,
        received_at=received_at,
        dedup_key=event.dedup_key,
        action=event.event_action,
        raw=body,
    )]
