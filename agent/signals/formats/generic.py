"""Generic JSON event (any object with at least a title or message) → one Signal.

title = title/summary/subject/name, else the first line of message/description/text;
text = every human-readable field joined; severity = severity/level; service = service/app/
application/component; host = host/hostname/instance; labels = the object's `labels`/`tags`
plus its other top-level scalar fields (`source` → `origin`); timestamp = timestamp/time/ts/
@timestamp/created_at/startsAt; fingerprint = fingerprint/dedup_key when given, else a hash of
title and text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.fingerprint import text_fingerprint
from agent.signals.formats.common import (
    fail,
    field_labels,
    first_line,
    first_str,
    host_from,
    join_text,
    normalize_level,
    opt_str,
    parse_time,
    require_object,
    str_map,
)

TITLE_KEYS = ("title", "summary", "subject", "name", "alertname")
BODY_KEYS = ("message", "msg", "description", "text", "body", "details", "detail")
TEXT_KEYS = ("summary", *BODY_KEYS)
TIME_KEYS = ("timestamp", "time", "ts", "@timestamp", "created_at", "startsAt", "date")
SERVICE_KEYS = ("service", "service_name", "app", "application", "component")
_STRUCTURAL = {*TITLE_KEYS, *TEXT_KEYS, *TIME_KEYS, "labels", "tags", "raw"}


NESTED_KEYS = ("detail", "details", "data")
_NESTED_TITLE_KEYS = ("detail-type", "detailType", "eventTypeCode", "type", "eventName")


def _strings(value: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """`key: value` lines for every scalar inside a nested object (lists and objects walked)."""
    if depth > 4:
        return []
    if isinstance(value, dict):
        return [line for k, v in value.items()
                for line in _strings(v, f"{prefix}{k}." if prefix or k else "", depth + 1)]
    if isinstance(value, list):
        return [line for item in value[:20] for line in _strings(item, prefix, depth + 1)]
    if isinstance(value, str) and value.strip():
        return [f"{prefix.rstrip('.')}: {value.strip()}" if prefix else value.strip()]
    return []


def lift_nested(obj: dict[str, Any]) -> dict[str, Any]:
    """EventBridge / AWS Health style: lift a nested `detail` object into a flat event.

    The nested object's scalar fields join the top level (top-level keys win), its text
    becomes the message, and `detail-type` (or the nested event type) the title.
    """
    key = next((k for k in NESTED_KEYS if isinstance(obj.get(k), dict)), None)
    if key is None:
        return obj
    nested = obj[key]
    flat = {k: v for k, v in obj.items() if k != key}
    for k, v in nested.items():
        if k not in flat and not isinstance(v, (dict, list)):
            flat[k] = v
    if not has_text_field(flat):
        title = first_str(obj, _NESTED_TITLE_KEYS) or first_str(nested, _NESTED_TITLE_KEYS)
        if title:
            flat["title"] = title
    if lines := _strings(nested):
        own = flat.get("message") if isinstance(flat.get("message"), str) else None
        flat["message"] = "\n".join([own, *lines] if own else lines)
    return flat


def has_text_field(obj: dict[str, Any]) -> bool:
    """True when the object carries a non-empty title or message-like string field."""
    return any(isinstance(obj.get(key), str) and obj[key].strip()
               for key in ("title", "message", "summary", "description", "text", "msg"))


def has_nested_detail(obj: dict[str, Any]) -> bool:
    """True for a generic event whose content sits in a nested `detail` object."""
    return has_text_field(lift_nested(obj)) if any(
        isinstance(obj.get(k), dict) for k in NESTED_KEYS) else False


def first_time(obj: dict[str, Any], keys: tuple[str, ...] = TIME_KEYS) -> datetime | None:
    """Parse the first present timestamp field among `keys` (bad values name the field)."""
    for key in keys:
        if obj.get(key) not in (None, ""):
            return parse_time(obj[key], key)
    return None


def parse_generic(payload: Any, *, received_at: datetime,
                  new_id: Callable[[], str]) -> list[Signal]:
    """Parse a generic JSON event into one Signal."""
    body = lift_nested(require_object(payload, "payload"))
    raw = payload
    if not has_text_field(body):
        fail("title", "required: a generic event needs a title or message "
                      "(or summary/description/text)")
    parts = [opt_str(body.get(key), key) for key in ("title", *TEXT_KEYS)]
    text = join_text(parts)
    title = first_str(body, TITLE_KEYS) or first_line(text) or "event"
    labels = field_labels(body, _STRUCTURAL)
    for key in ("labels", "tags"):
        if isinstance(body.get(key), dict):
            labels.update(str_map(body[key], key))
    severity = normalize_level(first_str(body, ("severity", "level")) or labels.get("severity"))
    timestamp = first_time(body)
    fingerprint = (first_str(body, ("fingerprint", "dedup_key"))
                   or text_fingerprint("generic", f"{title}\n{text}"))
    status = "resolved" if str(body.get("status", "")).strip().lower() == "resolved" else "firing"
    return [Signal(
        signal_id=new_id(),
        source="generic",
        fingerprint=fingerprint,
        status=status,
        title=first_line(title),
        text=text,
        labels=labels,
        severity=severity,
        service=first_str(body, SERVICE_KEYS) or first_str(labels, SERVICE_KEYS),
        host=host_from(labels),
        reporter=first_str(body, ("reporter", "user", "author")),
        starts_at=timestamp,
        timestamp=timestamp or received_at,
        received_at=received_at,
        dedup_key=first_str(body, ("dedup_key",)),
        raw=raw,
    )]
