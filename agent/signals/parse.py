"""The one entry point that turns a received payload into Signals (CONTRACTS §3).

`parse_payload(payload, fmt, received_at=, new_id=)` accepts a dict, a list, text or bytes.
Text/bytes are JSON when they start with `{` or `[` and parse (JSON Lines too); otherwise they
are raw text for the `log`, `ticket` and `slack` formats. A JSON array is a batch: every element
is parsed with the same format and the signals are concatenated (errors are prefixed `[i].`).
Lone UTF-16 surrogates (JSON allows the escape "\\ud800"; UTF-8 cannot encode it) are replaced
with U+FFFD so every Signal serializes. Auto-detection order: see `agent.signals.detect`.
Only `SignalParseError` escapes, with a one-line message naming the field.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.kernel.errors import SignalParseError
from agent.kernel.redact import redact_value
from agent.kernel.signal import Signal
from agent.signals.detect import detect_format, detect_text
from agent.signals.formats.alertmanager import parse_alertmanager
from agent.signals.formats.common import fail, to_utc
from agent.signals.formats.generic import parse_generic
from agent.signals.formats.grafana import parse_grafana
from agent.signals.formats.jira import parse_jira
from agent.signals.formats.log import parse_log
from agent.signals.formats.metric import parse_metric
from agent.signals.formats.pagerduty import parse_pagerduty
from agent.signals.formats.pagerduty_change import parse_pagerduty_change
from agent.signals.formats.servicenow import parse_servicenow
from agent.signals.formats.slack import parse_slack
from agent.signals.formats.ticket import parse_ticket
from agent.signals.formats.zendesk import parse_zendesk

logger = logging.getLogger(__name__)

Parser = Callable[..., list[Signal]]
PARSERS: dict[str, Parser] = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "pagerduty": parse_pagerduty,
    "pagerduty-change": parse_pagerduty_change,
    "generic": parse_generic,
    "metric": parse_metric,
    "log": parse_log,
    "ticket": parse_ticket,
    "slack": parse_slack,
    "jira": parse_jira,
    "servicenow": parse_servicenow,
    "zendesk": parse_zendesk,
}
FORMATS: tuple[str, ...] = ("auto", *PARSERS)
TEXT_FORMATS = frozenset({"log", "ticket", "slack"})
MAX_DEPTH = 64


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_shape(value: Any) -> bool:
    """Refuse absurdly nested JSON; report whether any text holds a lone UTF-16 surrogate."""
    dirty = False
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            fail("payload", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            dirty = dirty or any(isinstance(k, str) and _SURROGATE.search(k) for k in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and not dirty:
            dirty = bool(_SURROGATE.search(item))
    return dirty


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _plainly_shallow(text: str) -> bool:
    """True when JSON decoded from `text` can neither nest deeper than MAX_DEPTH (fewer
    brackets than that in all) nor hold a surrogate (only a `\\uD800`-style escape makes one)."""
    return (text.count("[") + text.count("{") <= MAX_DEPTH
            and _SURROGATE_ESCAPE.search(text) is None)


def _fix_text(text: str) -> str:
    """Join escaped surrogate pairs and replace lone surrogates (JSON "\\ud800") with U+FFFD,
    so every string can be encoded as UTF-8 downstream."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _fix_text(value)
    if isinstance(value, dict):
        return {(_fix_text(k) if isinstance(k, str) else k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _json_lines(text: str) -> list[Any] | None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    try:
        return [json.loads(line) for line in lines]
    except (ValueError, RecursionError):
        return None


def _decode_text(text: str, fmt: str) -> Any:
    """JSON when the text is JSON (or JSON Lines); raw text where the format allows it."""
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        fail("payload", "empty input")
    wants_json = fmt not in TEXT_FORMATS and fmt != "auto"
    if stripped[0] in "{[" or wants_json:
        try:
            return json.loads(stripped)
        except RecursionError:
            fail("payload", f"nested deeper than {MAX_DEPTH} levels")
        except ValueError as exc:
            if (batch := _json_lines(stripped)) is not None:
                return batch
            if fmt in TEXT_FORMATS or (fmt == "auto" and
                                       (stripped[0] == "[" or detect_text(stripped) == "log")):
                return text
            where = (f" at line {exc.lineno} column {exc.colno}"
                     if isinstance(exc, json.JSONDecodeError) else "")
            problem = exc.msg if isinstance(exc, json.JSONDecodeError) else "not JSON"
            fail("payload", f"invalid JSON{where}: {problem}")
    return text


def decode_payload(payload: Any, fmt: str = "auto") -> Any:
    """Bytes → text → JSON value or raw text, secrets masked: the one redaction pass.

    Every accepted payload goes through here before it is parsed or stored, so nothing
    downstream (signals, stored bodies, checkpoints, decisions, Slack, the knowledge base, logs)
    ever holds a secret the sender put in it (`agent.kernel.redact`, issue #12).
    """
    return redact_value(_decode(payload, fmt))


def _decode(payload: Any, fmt: str) -> Any:
    """Bytes → text → JSON value or raw text; dicts and lists pass through (depth-checked)."""
    if isinstance(payload, bytes | bytearray | memoryview):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            fail("payload", "not valid UTF-8 text")
    if isinstance(payload, str):
        text, payload = payload, _decode_text(payload, fmt)
        if not isinstance(payload, str) and _plainly_shallow(text):
            return payload  # nothing for _check_shape to find (a cheap, exact pre-check)
    if isinstance(payload, dict | list | str):
        return _scrub(payload) if _check_shape(payload) else payload
    fail("payload", "must be a JSON object, a JSON array or text")


def _parse_one(value: Any, fmt: str, received_at: datetime,
               new_id: Callable[[], str]) -> list[Signal]:
    if not isinstance(value, dict | str):
        fail("payload", "must be a JSON object or text")
    if fmt == "auto":
        fmt = detect_format(value)
    elif isinstance(value, str) and fmt not in TEXT_FORMATS:
        fail("payload", f"format {fmt} needs a JSON object")
    return PARSERS[fmt](value, received_at=received_at, new_id=new_id)


def _parse_batch(items: list[Any], fmt: str, received_at: datetime,
                 new_id: Callable[[], str]) -> list[Signal]:
    if not items:
        fail("payload", "empty array")
    signals: list[Signal] = []
    for index, item in enumerate(items):
        try:
            if isinstance(item, list):
                fail("payload", "nested arrays are not supported")
            signals.extend(_parse_one(item, fmt, received_at, new_id))
        except SignalParseError as exc:
            inner = "" if exc.field == "payload" else f".{exc.field}"
            raise SignalParseError(f"[{index}]{inner}", exc.problem) from None
    return signals


def parse_payload(
    payload: Any,
    fmt: str = "auto",
    *,
    received_at: datetime,
    new_id: Callable[[], str],
    decoded: bool = False,
) -> list[Signal]:
    """Parse one received payload into Signals (one per alert/record); raises SignalParseError.

    `decoded`: the payload is already `decode_payload`'s result (not decoded or walked again).
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        fail("format", f"unknown format {str(fmt)[:40]!r}; expected one of {', '.join(FORMATS)}")
    received_at = to_utc(received_at)
    value = payload if decoded else decode_payload(payload, fmt)
    if isinstance(value, list):
        signals = _parse_batch(value, fmt, received_at, new_id)
    else:
        signals = _parse_one(value, fmt, received_at, new_id)
    logger.debug("parsed payload", extra={"format": fmt, "signals": len(signals)})
    return signals
