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


def has_text_field(obj: dict[str, Any]) -> bool:
    """True when the object carries a non-empty title or message-like string field."""
    return any(isinstance(obj.get(key), str) and obj[key].strip()
               for key in ("title", "message", "summary", "description", "text", "msg"))


def first_time(obj: dict[str, Any], keys: tuple[str, ...] = TIME_KEYS) -> datetime | None:
    """Parse the first present timestamp field among `keys` (bad values name the field)."""
    for key in keys:
        if obj.get(key) not in (None, ""):
            return parse_time(obj[key], key)
    return None


def parse_generic(payload: Any, *, received_at: datetime,
                  new_id: Callable[[], str]) -> list[Signal]:
    """Parse a generic JSON event into one Signal."""
    body = require_object(payload, "payload")
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
        raw=body,
    )]
