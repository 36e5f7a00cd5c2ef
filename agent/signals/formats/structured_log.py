"""Structured log records: JSON log objects and logfmt lines (`level=error msg="..."`), and the
`LogLine` both they and the text parsers in `logline` produce."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.signals.formats.common import normalize_level, scalar_text, soft_time

LOGFMT_PAIR = re.compile(r"(?P<key>[\w.\-@]+)=(?P<value>\"(?:[^\"\\]|\\.)*\"|\S*)")
LOGFMT_START = re.compile(r"^[\w.\-@]+=")
LOGFMT_HINT = re.compile(r"(?:^|\s)(?:level|lvl|msg|severity)=")
_PINO_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "fatal"}
JSON_LEVEL_KEYS = ("level", "lvl", "severity", "loglevel", "log.level", "levelname", "level_name")
LOG_LEVEL_KEYS = tuple(key for key in JSON_LEVEL_KEYS if key != "severity")
JSON_MSG_KEYS = ("msg", "message", "event", "log", "text")
JSON_TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "t", "datetime")
JSON_SERVICE_KEYS = ("service", "service.name", "app", "application", "app.name")
JSON_HOST_KEYS = ("host", "hostname", "host.name", "host.hostname", "node")
JSON_PROGRAM_KEYS = ("program", "process.name", "logger", "logger_name", "name", "syslog.appname")


@dataclass
class LogLine:
    """What could be read from one log line; `fields` keeps every extracted value as text."""

    message: str
    timestamp: datetime | None = None
    host: str | None = None
    program: str | None = None
    service: str | None = None
    level: str | None = None
    syntax: str = "text"
    fields: dict[str, str] = field(default_factory=dict)


def flatten(obj: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Flatten nested objects to dotted keys (ECS style `log.level`), three levels deep."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 3:
            out.update(flatten(value, f"{name}.", depth + 1))
        else:
            out[name] = value
    return out


def _first(flat: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = scalar_text(flat.get(key))
        if text is not None and text.strip():
            return text.strip()
    return None


def from_json_object(obj: dict[str, Any]) -> LogLine:
    """Read a structured (JSON) log record: level, message, time, service, host, logger."""
    flat = flatten(obj)
    level_raw = next((flat[k] for k in JSON_LEVEL_KEYS if flat.get(k) not in (None, "")), None)
    if isinstance(level_raw, int) and not isinstance(level_raw, bool):
        level = _PINO_LEVELS.get(level_raw)
    else:
        level = normalize_level(scalar_text(level_raw))
    stamp = next((flat[k] for k in JSON_TIME_KEYS if flat.get(k) not in (None, "")), None)
    fields = {k: t for k, v in flat.items() if (t := scalar_text(v)) is not None and t.strip()}
    return LogLine(
        message=_first(flat, JSON_MSG_KEYS) or json.dumps(obj, default=str, sort_keys=True),
        timestamp=soft_time(stamp),
        host=_first(flat, JSON_HOST_KEYS),
        program=_first(flat, JSON_PROGRAM_KEYS),
        service=_first(flat, JSON_SERVICE_KEYS),
        level=level,
        syntax="json",
        fields=fields,
    )


def parse_logfmt(text: str) -> LogLine | None:
    """Read a logfmt line when it carries level/msg keys, else None."""
    if not LOGFMT_HINT.search(text):
        return None
    pairs: dict[str, Any] = {}
    for match in LOGFMT_PAIR.finditer(text):
        value = match.group("value")
        if value.startswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        pairs[match.group("key")] = value
    if not pairs:
        return None
    line = from_json_object(pairs)
    line.syntax = "logfmt"
    return line


def is_structured_log(obj: dict[str, Any]) -> bool:
    """True for a structured log record: a log level key and a message key, and no title
    (an object with a title is a generic event; `severity` alone is not a log level key)."""
    if any(key in obj for key in ("title", "summary", "subject")):
        return False
    flat = flatten(obj)
    return any(k in flat for k in LOG_LEVEL_KEYS) and any(
        isinstance(flat.get(k), str) for k in JSON_MSG_KEYS)
