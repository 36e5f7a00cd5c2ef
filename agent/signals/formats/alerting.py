"""Pydantic boundary types shared by the Alertmanager and Grafana webhooks, and the alert → Signal
mapping both use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from agent.kernel.errors import SignalParseError
from agent.kernel.signal import Signal
from agent.kernel.taxonomy import Source
from agent.signals.fingerprint import labels_fingerprint
from agent.signals.formats.common import (
    first_line,
    host_from,
    join_text,
    normalize_level,
    parse_time,
    scalar_text,
    service_from,
)


def _text(value: Any) -> Any:
    """Accept JSON scalars as text; leave anything else for pydantic to reject."""
    if value is None or isinstance(value, dict | list):
        return value
    return scalar_text(value)


def _label_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    out: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            continue
        text = scalar_text(item)
        if text is None:
            raise ValueError(f"value of {str(key)[:40]!r} must be a string")
        out[str(key)] = text
    return out


def _stamp(value: Any) -> datetime | None:
    try:
        return parse_time(value, "timestamp")
    except SignalParseError as exc:
        raise ValueError(exc.problem) from None


def _status(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Text = Annotated[str | None, BeforeValidator(_text)]
LabelMap = Annotated[dict[str, str], BeforeValidator(_label_map)]
Stamp = Annotated[datetime | None, BeforeValidator(_stamp)]
AlertStatus = Annotated[Literal["firing", "resolved"] | None, BeforeValidator(_status)]


class AlertmanagerAlert(BaseModel):
    """One alert of an Alertmanager v4 webhook, field for field (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    status: AlertStatus = None
    labels: LabelMap = {}
    annotations: LabelMap = {}
    starts_at: Stamp = Field(None, alias="startsAt")
    ends_at: Stamp = Field(None, alias="endsAt")
    generator_url: Text = Field(None, alias="generatorURL")
    fingerprint: Text = None


class AlertmanagerWebhook(BaseModel):
    """The Alertmanager webhook body, version 4, field for field (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: Text = None
    group_key: Text = Field(None, alias="groupKey")
    truncated_alerts: int | None = Field(None, alias="truncatedAlerts")
    status: AlertStatus = None
    receiver: Text = None
    group_labels: LabelMap = Field(default_factory=dict, alias="groupLabels")
    common_labels: LabelMap = Field(default_factory=dict, alias="commonLabels")
    common_annotations: LabelMap = Field(default_factory=dict, alias="commonAnnotations")
    external_url: Text = Field(None, alias="externalURL")
    alerts: list[AlertmanagerAlert]


_TEXT_KEYS = ("summary", "description", "message", "details")


def _is_link(key: str, value: str) -> bool:
    return key.lower().endswith(("url", "_link")) or value.startswith(("http://", "https://"))


def annotation_text(annotations: dict[str, str]) -> str:
    """The human-readable text of annotations: summary, description, message, then the rest
    (links and Grafana's internal `__...__` annotations left out; they stay in annotations)."""
    parts = [annotations.get(key) for key in _TEXT_KEYS]
    parts += [value for key, value in annotations.items()
              if key not in _TEXT_KEYS and not key.startswith("__") and not _is_link(key, value)]
    return join_text(parts)


def alert_signal(
    source: Source,
    alert: AlertmanagerAlert,
    *,
    envelope_status: str | None,
    raw: Any,
    received_at: datetime,
    new_id: Callable[[], str],
    fallback_title: str | None = None,
    fallback_text: str | None = None,
) -> Signal:
    """Map one Alertmanager-shaped alert to a Signal (shared by Alertmanager and Grafana)."""
    labels, annotations = alert.labels, alert.annotations
    status = alert.status or envelope_status or "firing"
    text = annotation_text(annotations) or (fallback_text or "")
    title = (labels.get("alertname") or first_line(annotations.get("summary", ""))
             or (fallback_title or "") or first_line(text) or "alert")
    starts_at, ends_at = alert.starts_at, alert.ends_at
    # A resolve happens at endsAt: that is the signal's own time (maintenance windows, ordering).
    # Dedup uses fingerprint + starts_at + status, so starts_at stays startsAt in both cases.
    if status == "resolved" and ends_at is not None:
        timestamp = ends_at
    else:
        timestamp = starts_at or received_at
    return Signal(
        signal_id=new_id(),
        source=source,
        fingerprint=alert.fingerprint or labels_fingerprint(labels),
        status=status,  # type: ignore[arg-type]
        title=title,
        text=text,
        labels=labels,
        annotations=annotations,
        severity=normalize_level(labels.get("severity")),
        service=service_from(labels),
        host=host_from(labels),
        starts_at=starts_at,
        ends_at=ends_at,
        timestamp=timestamp,
        received_at=received_at,
        raw=raw,
    )
