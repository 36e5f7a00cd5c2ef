"""Alertmanager webhook (version 4) → one Signal per alert.

`raw` of each signal is its own alert object exactly as received (it re-parses to the same
signal as a bare alert). The envelope is not copied into every signal: the store keeps the
delivery body once and `SignalStore.payload` rebuilds it (issue #12: a 100-alert body amplified
into 100 envelope copies). A bare alert object (Alertmanager API v2 style, with `labels` but no
`alerts`) is accepted as a one-alert body; its raw is the object itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from agent.kernel.signal import Signal
from agent.signals.formats.alerting import AlertmanagerWebhook, alert_signal
from agent.signals.formats.common import fail, from_validation_error, require_object


def parse_alertmanager(
    payload: Any, *, received_at: datetime, new_id: Callable[[], str]
) -> list[Signal]:
    """Parse an Alertmanager webhook body into one Signal per alert."""
    body = require_object(payload, "payload")
    bare = "alerts" not in body and isinstance(body.get("labels"), dict)
    envelope = {"alerts": [body]} if bare else body
    if "alerts" not in envelope:
        fail("alerts", "required (an Alertmanager webhook carries an alerts array)")
    if isinstance(envelope["alerts"], list) and not envelope["alerts"]:
        fail("alerts", "must contain at least one alert")
    try:
        hook = AlertmanagerWebhook.model_validate(envelope)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    signals = []
    for alert, alert_raw in zip(hook.alerts, envelope["alerts"], strict=True):
        signals.append(alert_signal("alertmanager", alert, envelope_status=hook.status,
                                    raw=alert_raw,
                                    received_at=received_at, new_id=new_id))
    return signals
