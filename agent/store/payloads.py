"""Delivery bodies stored once: each signal's raw part is found in its body by path.

Parsers hand each signal its part of the received body as the very same object (an alert of an
Alertmanager `alerts` array, an element of a JSON batch). The store keeps the body once and the
signal row keeps only the path to its part, so a body of 100 alerts is written once rather than
once per alert with its envelope (issue #12: one 312 KB body became 482 MB on disk).
"""

from __future__ import annotations

import json
from typing import Any

from agent.kernel.packing import PAYLOAD_DICT, pack, unpack
from agent.kernel.signal import Signal

Path = list[str | int]


def raw_paths(body: Any, signals: list[Signal]) -> dict[str, Path]:
    """Where each signal's raw part sits inside `body` (by identity), for the signals whose
    raw is a proper part of it; empty when no raw is (the rows then keep their raws)."""
    owners = {id(s.raw): s.signal_id for s in signals if isinstance(s.raw, dict | list)}
    if not owners or id(body) in owners:
        return {}
    found: dict[str, Path] = {}
    stack: list[tuple[Any, Path]] = [(body, [])]
    while stack:
        value, path = stack.pop()
        if id(value) in owners and path:
            found.setdefault(owners[id(value)], path)
            continue
        if isinstance(value, dict):
            stack.extend((item, [*path, key]) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
    return found


def follow(body: Any, path: Path) -> Any:
    """The part of `body` at `path` (None when the path does not lead anywhere)."""
    for step in path:
        if isinstance(body, dict) and isinstance(step, str):
            body = body.get(step)
        elif isinstance(body, list) and isinstance(step, int) and 0 <= step < len(body):
            body = body[step]
        else:
            return None
    return body


def compact_json(value: Any) -> str:
    """JSON without insignificant whitespace."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def pack_json(value: Any) -> bytes:
    """A delivery body as stored: its compact JSON, zlib-compressed (bodies repeat themselves:
    Grafana's `message` renders every alert again)."""
    return pack(compact_json(value), PAYLOAD_DICT)


def unpack_json(stored: str | bytes) -> Any:
    """A stored delivery body back as JSON data (rows written before compression are text)."""
    return json.loads(unpack(stored))
