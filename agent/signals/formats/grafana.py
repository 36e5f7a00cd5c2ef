"""Grafana unified-alerting webhook (Alertmanager-shaped plus Grafana fields) → a Signal per alert.

`raw` follows the Alertmanager choice: this alert's own object as received (the store keeps the
delivery body, whose `message` renders every alert, once per delivery). The legacy
(pre-8) Grafana webhook (`ruleName`, `state`, `evalMatches`, no `alerts`) gives one Signal whose
raw is the whole body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from agent.kernel.signal import Signal
from agent.signals.fingerprint import canonical_hash
from agent.signals.formats.alerting import (
    AlertmanagerAlert,
    AlertmanagerWebhook,
    Text,
    alert_signal,
)
from agent.signals.formats.common import (
    fail,
    first_line,
    from_validation_error,
    join_text,
    loose_str_map,
    opt_str,
    require_object,
    service_from,
)


class GrafanaAlert(AlertmanagerAlert):
    """One alert of a Grafana unified-alerting webhook (Alertmanager fields plus Grafana's)."""

    values: dict[str, Any] | None = None
    value_string: Text = Field(None, alias="valueString")
    silence_url: Text = Field(None, alias="silenceURL")
    dashboard_url: Text = Field(None, alias="dashboardURL")
    panel_url: Text = Field(None, alias="panelURL")
    image_url: Text = Field(None, alias="imageURL")


class GrafanaWebhook(AlertmanagerWebhook):
    """The Grafana unified-alerting webhook body (unknown fields are kept)."""

    org_id: int | None = Field(None, alias="orgId")
    title: Text = None
    state: Text = None
    message: Text = None
    alerts: list[GrafanaAlert]  # type: ignore[assignment]


_LEGACY_RESOLVED = {"ok", "resolved", "normal"}


def _parse_legacy(body: dict[str, Any], received_at: datetime,
                  new_id: Callable[[], str]) -> list[Signal]:
    """Legacy Grafana alerting (ruleName/state/evalMatches) → one Signal."""
    title = opt_str(body.get("ruleName"), "ruleName") or opt_str(body.get("title"), "title")
    message = opt_str(body.get("message"), "message")
    state = (opt_str(body.get("state"), "state") or "alerting").lower()
    labels = loose_str_map(body.get("tags"))
    labels.setdefault("alertname", title or "grafana alert")
    rule_id = opt_str(body.get("ruleId"), "ruleId")
    return [Signal(
        signal_id=new_id(),
        source="grafana",
        fingerprint=canonical_hash("grafana-legacy", rule_id or labels["alertname"], labels),
        status="resolved" if state in _LEGACY_RESOLVED else "firing",
        title=title or first_line(message or "") or "grafana alert",
        text=join_text([opt_str(body.get("title"), "title"), message]),
        labels=labels,
        severity=None,
        service=service_from(labels),
        timestamp=received_at,
        received_at=received_at,
        raw=body,
    )]


def parse_grafana(payload: Any, *, received_at: datetime,
                  new_id: Callable[[], str]) -> list[Signal]:
    """Parse a Grafana alerting webhook body into one Signal per alert."""
    body = require_object(payload, "payload")
    if "alerts" not in body:
        if "ruleName" in body or "evalMatches" in body:
            return _parse_legacy(body, received_at, new_id)
        fail("alerts", "required (a Grafana alerting webhook carries an alerts array)")
    if isinstance(body["alerts"], list) and not body["alerts"]:
        fail("alerts", "must contain at least one alert")
    try:
        hook = GrafanaWebhook.model_validate(body)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    single = len(hook.alerts) == 1
    signals = []
    for alert, alert_raw in zip(hook.alerts, body["alerts"], strict=True):
        signals.append(alert_signal(
            "grafana", alert, envelope_status=hook.status,
            raw=alert_raw, received_at=received_at, new_id=new_id,
            fallback_title=hook.title if single else None,
            fallback_text=hook.message if single else None,
        ))
    return signals
