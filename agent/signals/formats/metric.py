"""Raw metric sample `{"metric", "value", "labels", "timestamp"}` → one Signal with `metric` set.

service/host come from the labels (service/app/... and host/hostname/node/instance) or from
top-level `service`/`host` fields; fingerprint = hash of the metric name and labels. Thresholds
are applied later from config, never here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import MetricSample, Signal
from agent.signals.fingerprint import metric_fingerprint
from agent.signals.formats.common import (
    fail,
    first_str,
    host_from,
    normalize_level,
    opt_str,
    parse_time,
    require_object,
    service_from,
    str_map,
)


def metric_value(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value) if abs(value) < 1e308 else math.inf
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _from_prometheus_vector(body: dict[str, Any]) -> dict[str, Any]:
    """Prometheus query API sample `{"metric": {"__name__", ...}, "value": [ts, "v"]}`."""
    series = str_map(body["metric"], "metric")
    name = series.pop("__name__", None)
    if not name:
        fail("metric.__name__", "required: the metric name")
    sample = body.get("value")
    if not (isinstance(sample, list) and len(sample) == 2):
        fail("value", "must be [timestamp, value] for a Prometheus sample")
    return {"metric": name, "labels": series, "timestamp": sample[0], "value": sample[1]}


def _format_value(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_metric(payload: Any, *, received_at: datetime,
                 new_id: Callable[[], str]) -> list[Signal]:
    """Parse a metric sample into one Signal."""
    body = require_object(payload, "payload")
    if isinstance(body.get("metric"), dict):
        body = _from_prometheus_vector(body)
    name = opt_str(body.get("metric", body.get("name")), "metric")
    if not name:
        fail("metric", "required: the metric name")
    if "value" not in body:
        fail("value", "required: the sample value")
    value = metric_value(body["value"])
    if value is None:
        fail("value", "must be a finite number")
    labels = str_map(body.get("labels"), "labels")
    for key in ("service", "host"):
        extra = opt_str(body.get(key), key)
        if extra and key not in labels:
            labels[key] = extra
    timestamp = None
    for key in ("timestamp", "time", "ts"):
        if body.get(key) not in (None, ""):
            timestamp = parse_time(body[key], key)
            break
    service, host = service_from(labels), host_from(labels)
    where = f" on {host or service}" if host or service else ""
    shown = _format_value(value)
    unit = opt_str(body.get("unit"), "unit")
    title = f"{name} = {shown}{' ' + unit if unit else ''}{where}"
    label_text = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    text = f"metric {name} value {shown}" + (f" ({label_text})" if label_text else "")
    description = first_str(body, ("description", "message", "help"))
    return [Signal(
        signal_id=new_id(),
        source="metric",
        fingerprint=metric_fingerprint(name, labels),
        title=title,
        text=f"{text}\n{description}" if description else text,
        labels=labels,
        severity=normalize_level(labels.get("severity")),
        service=service,
        host=host,
        metric=MetricSample(name=name, value=value),
        starts_at=timestamp,
        timestamp=timestamp or received_at,
        received_at=received_at,
        raw=payload,
    )]
