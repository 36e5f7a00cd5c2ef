"""Shared helpers for the format parsers: errors, type coercion, timestamps and text joining."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from pydantic import ValidationError

from agent.kernel.errors import SignalParseError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_FIELD = 80
_MAX_PROBLEM = 200
ZERO_TIME_YEAR = 1  # Alertmanager's "0001-01-01T00:00:00Z" means "unset"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SYSLOG_SEVERITIES = ("emergency", "alert", "critical", "error", "warning", "notice", "info",
                     "debug")
_LEVEL_ALIASES = {
    "warn": "warning", "err": "error", "eror": "error", "crit": "critical", "emerg": "emergency",
    "inf": "info", "information": "info", "informational": "info", "dbg": "debug",
    "fatal": "fatal", "panic": "panic",
}


def one_line(text: str, limit: int) -> str:
    """Collapse control characters so an error message stays on one short line."""
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fail(field: str, problem: str) -> NoReturn:
    """Raise the one documented parse error with a sanitized one-line field and problem."""
    raise SignalParseError(one_line(field, _MAX_FIELD) or "payload",
                           one_line(problem, _MAX_PROBLEM))


def join_field(prefix: str, key: str | int) -> str:
    """Build a field path like `alerts[1].labels` from a prefix and a key or index."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


_PYDANTIC_PROBLEMS = {
    "dict_type": "must be an object", "model_type": "must be an object",
    "model_attributes_type": "must be an object", "list_type": "must be an array",
    "string_type": "must be a string", "missing": "required", "int_type": "must be an integer",
    "int_parsing": "must be an integer", "float_type": "must be a number",
    "float_parsing": "must be a number", "bool_type": "must be a boolean",
}


def from_validation_error(exc: ValidationError, prefix: str = "") -> SignalParseError:
    """Turn the first pydantic error into a SignalParseError naming its field path."""
    errors = exc.errors(include_url=False)
    if not errors:
        return SignalParseError(prefix or "payload", "invalid")
    err = errors[0]
    field = prefix
    for part in err.get("loc", ()):
        field = join_field(field, part if isinstance(part, int) else str(part))
    problem = _PYDANTIC_PROBLEMS.get(err.get("type", ""), str(err.get("msg", "invalid")))
    problem = problem.removeprefix("Value error, ")
    try:
        fail(field or "payload", problem)
    except SignalParseError as converted:
        return converted


def require_object(value: Any, field: str) -> dict[str, Any]:
    """Return `value` when it is a JSON object, else fail naming `field`."""
    if not isinstance(value, dict):
        fail(field, "must be an object")
    return value


def scalar_text(value: Any) -> str | None:
    """Render a JSON scalar as text (None for null, objects and arrays)."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def opt_str(value: Any, field: str) -> str | None:
    """Read an optional string field; numbers are accepted as text, objects are an error."""
    if value is None:
        return None
    text = scalar_text(value)
    if text is None:
        fail(field, "must be a string")
    text = text.strip()
    return text or None


def str_map(value: Any, field: str) -> dict[str, str]:
    """Read a label-like object: scalar values become strings, nested values are an error."""
    if value is None:
        return {}
    obj = require_object(value, field)
    out: dict[str, str] = {}
    for key, item in obj.items():
        if item is None:
            continue
        text = scalar_text(item)
        if text is None:
            fail(join_field(field, str(key)), "must be a string")
        out[str(key)] = text
    return out


def loose_str_map(value: Any) -> dict[str, str]:
    """Keep only the scalar entries of an object as strings (nested ones are skipped)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        text = scalar_text(item)
        if text is not None and text.strip():
            out[str(key)] = text
    return out


def field_labels(body: Mapping[str, Any], skip: set[str]) -> dict[str, str]:
    """Top-level scalar fields of an event as labels; a sender `source` field becomes `origin`
    so that `source` in routes and matchers keeps meaning the input format."""
    labels = loose_str_map({k: v for k, v in body.items() if k not in skip})
    if "source" in labels:
        labels["origin"] = labels.pop("source")
    return labels


def to_utc(moment: datetime) -> datetime:
    """Make a datetime UTC-aware: naive means UTC, offsets are converted."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _from_epoch(number: float, field: str) -> datetime:
    if not math.isfinite(number):
        fail(field, "must be a finite timestamp")
    if abs(number) >= 1e17:  # nanoseconds
        number /= 1e9
    elif abs(number) >= 1e14:  # microseconds
        number /= 1e6
    elif abs(number) >= 1e11:  # milliseconds
        number /= 1e3
    try:
        return _EPOCH + timedelta(seconds=number)
    except (OverflowError, ValueError):
        fail(field, "timestamp out of range")


_NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


def parse_time(value: Any, field: str) -> datetime | None:
    """Parse RFC 3339 / ISO 8601 text or a unix epoch (s, ms, µs, ns) into a UTC datetime.

    Null, "" and Alertmanager's zero time ("0001-01-01T00:00:00Z") mean unset and give None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        fail(field, "must be a timestamp")
    if isinstance(value, int | float):
        return _from_epoch(float(value), field)
    if not isinstance(value, str):
        fail(field, "must be a timestamp")
    text = value.strip()
    if _NUMERIC.match(text):
        return _from_epoch(float(text), field)
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        fail(field, f"not an RFC 3339 timestamp: {text[:40]!r}")
    if moment.year <= ZERO_TIME_YEAR and moment.month == 1 and moment.day == 1:
        return None
    try:
        return to_utc(moment)
    except (OverflowError, ValueError):
        fail(field, "timestamp out of range")


def soft_time(value: Any) -> datetime | None:
    """Parse a timestamp when it is valid, else None (for values found inside free text)."""
    try:
        return parse_time(value, "timestamp")
    except SignalParseError:
        return None


def normalize_level(level: str | None) -> str | None:
    """Lower-case a sender's level/severity word and fold common aliases (warn → warning)."""
    if level is None:
        return None
    word = level.strip().lower()
    if not word:
        return None
    return _LEVEL_ALIASES.get(word, word)


def first_str(obj: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    """Return the first non-empty scalar value among `keys` of `obj`, as stripped text."""
    for key in keys:
        text = scalar_text(obj.get(key))
        if text is not None and text.strip():
            return text.strip()
    return None


def join_text(parts: Iterable[str | None]) -> str:
    """Join human-readable parts with blank lines, dropping empties and exact repeats."""
    seen: set[str] = set()
    kept: list[str] = []
    for part in parts:
        if not part:
            continue
        text = part.strip()
        if text and text not in seen:
            seen.add(text)
            kept.append(text)
    return "\n".join(kept)


def first_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of `text`, cut to `limit` characters (used as a title)."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


SERVICE_LABELS = ("service", "service_name", "app_kubernetes_io_name", "app.kubernetes.io/name",
                  "app", "application")
HOST_LABELS = ("host", "hostname", "nodename", "node", "instance")
_HOST_PORT = re.compile(r"^(?P<host>[^\s/:]+|\[[0-9a-fA-F:]+\]):\d+$")


def host_from(labels: Mapping[str, str]) -> str | None:
    """A host from the usual labels; Prometheus `instance` loses its `:port` suffix."""
    for key in HOST_LABELS:
        value = labels.get(key, "").strip()
        if value:
            match = _HOST_PORT.match(value)
            return match.group("host") if match else value
    return None


def service_from(labels: Mapping[str, str]) -> str | None:
    """A service from structured labels (never the Prometheus scrape `job`)."""
    return first_str(labels, SERVICE_LABELS)
