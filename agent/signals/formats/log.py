"""Log input → Signals: one raw line (str), several lines, or `{"line": "...", ...}`.

A text with several lines is split into records: each line that looks like a log header starts a
record, other lines (stack traces) continue the previous one; each record gives one Signal.
Extracted values (host, program, pid, level, facility, JSON/logfmt fields...) are kept in labels.
service = the log's service field, else the program, else the host. A line without a zone is UTC;
RFC 3164 lines take their year from received_at. raw = the record text (or the object) as received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.fingerprint import log_fingerprint
from agent.signals.formats.common import (
    fail,
    first_line,
    normalize_level,
    opt_str,
    parse_time,
    str_map,
)
from agent.signals.formats.logline import looks_like_log, parse_log_line
from agent.signals.formats.structured_log import (
    JSON_MSG_KEYS,
    LogLine,
    flatten,
    from_json_object,
    is_structured_log,
)

_MAX_LABEL = 512
is_json_log_object = is_structured_log


def split_records(text: str) -> list[str]:
    """Split log text into records; lines that are not log headers continue the previous one."""
    records: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not records or looks_like_log(line):
            records.append([line])
        else:
            records[-1].append(line)
    return ["\n".join(lines) for lines in records]


def _signal(record: LogLine, extra_text: str, raw: Any, received_at: datetime,
            new_id: Callable[[], str]) -> Signal:
    labels = {k: v[:_MAX_LABEL] for k, v in record.fields.items()}
    for key, value in (("host", record.host), ("program", record.program),
                       ("service", record.service), ("level", record.level)):
        if value:
            labels[key] = value
    message = record.message.strip()
    text = f"{message}\n{extra_text}" if extra_text else message
    return Signal(
        signal_id=new_id(),
        source="log",
        fingerprint=log_fingerprint(record.host, record.program, message),
        title=first_line(message) or "log line",
        text=text,
        labels=labels,
        severity=normalize_level(record.level),
        service=record.service or record.program or record.host,
        host=record.host,
        starts_at=record.timestamp,
        timestamp=record.timestamp or received_at,
        received_at=received_at,
        raw=raw,
    )


def _from_text(text: str, received_at: datetime, new_id: Callable[[], str]) -> list[Signal]:
    signals = []
    for record_text in split_records(text):
        head, _, tail = record_text.partition("\n")
        record = parse_log_line(head, received_at)
        signals.append(_signal(record, tail.strip(), record_text, received_at, new_id))
    if not signals:
        fail("line", "empty log line")
    return signals


def _from_object(body: dict[str, Any], received_at: datetime,
                 new_id: Callable[[], str]) -> list[Signal]:
    if "line" not in body:
        flat = flatten(body)
        if any(isinstance(flat.get(k), str) and flat[k].strip() for k in JSON_MSG_KEYS):
            return [_signal(from_json_object(body), "", body, received_at, new_id)]
        fail("line", "required: the raw log line")
    line = body["line"]
    if not isinstance(line, str):
        fail("line", "must be a string")
    if not line.strip():
        fail("line", "must not be empty")
    head, _, tail = line.strip().partition("\n")
    record = parse_log_line(head, received_at)
    record.fields.update(str_map(body.get("labels"), "labels"))
    for key in ("host", "program", "service", "level"):
        value = opt_str(body.get(key), key)
        if value:
            setattr(record, key, value)
    for key in ("timestamp", "time", "ts"):
        if body.get(key) not in (None, ""):
            record.timestamp = parse_time(body[key], key)
            break
    return [_signal(record, tail.strip(), body, received_at, new_id)]


def parse_log(payload: Any, *, received_at: datetime, new_id: Callable[[], str]) -> list[Signal]:
    """Parse log input (text, or an object with `line`, or a JSON log record) into Signals."""
    if isinstance(payload, str):
        return _from_text(payload, received_at, new_id)
    if isinstance(payload, dict):
        return _from_object(payload, received_at, new_id)
    fail("payload", "a log must be a text line or an object with `line`")
