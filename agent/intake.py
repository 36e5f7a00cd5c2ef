"""What the facade hands surfaces about intake: parsing without storing, webhook schemas, and
the results of preparing and accepting a payload."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.kernel.clock import utc_now
from agent.kernel.signal import Signal
from agent.signals.parse import parse_payload


def parse_signals(payload: Any, fmt: str = "auto", *,
                  received_at: datetime | None = None) -> list[Signal]:
    """Parse and validate a payload into signals without storing anything (SignalParseError)."""
    counter = itertools.count(1)
    return parse_payload(payload, fmt, received_at=received_at or utc_now(),
                         new_id=lambda: f"preview-{next(counter)}")


def webhook_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the webhook bodies the parsers validate (pydantic models), by format,
    for surfaces that document their request bodies (the service's OpenAPI document)."""
    from agent.signals.formats.alerting import AlertmanagerWebhook
    from agent.signals.formats.grafana import GrafanaWebhook
    from agent.signals.formats.pagerduty import PagerDutyEvent
    from agent.signals.formats.pagerduty_change import ChangeEvent

    models = {"alertmanager": AlertmanagerWebhook, "grafana": GrafanaWebhook,
              "pagerduty": PagerDutyEvent, "pagerduty-change": ChangeEvent}
    return {fmt: model.model_json_schema(by_alias=True) for fmt, model in models.items()}


@dataclass(frozen=True)
class Accepted:
    """A payload durably stored: its signal ids (the first ones again for a redelivery)."""

    signal_ids: list[str]
    redelivery: bool
    signals: list[Signal]  # as parsed from this delivery


@dataclass(frozen=True)
class Prepared:
    """A parsed payload not yet stored: its new signals and its delivery key."""

    signals: list[Signal]
    delivery_key: str | None
    body: Any = None  # the decoded payload: stored once, the signals' raw parts are in it

    def accepted(self, stored_ids: list[str]) -> Accepted:
        """What storing returned: these signals, or a redelivery's first ids."""
        redelivery = bool(self.signals) and stored_ids != [s.signal_id for s in self.signals]
        return Accepted(signal_ids=stored_ids, redelivery=redelivery, signals=self.signals)


DeliveryKey = str | Callable[[Any], str] | None  # a key, or one computed from the decoded value
