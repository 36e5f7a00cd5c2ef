"""Past cases' inputs as signals: the payload parser the knowledge base is handed for history."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from agent.kernel.signal import Signal
from agent.signals.parse import parse_payload

_CASE_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # parse time is irrelevant to a past case's text


def parse_case_input(inp: dict[str, Any], case_id: str) -> list[Signal]:
    """Signals of a case's `input` ({"format", "payload"}) via the shared payload parser."""
    counter = itertools.count(1)
    return parse_payload(inp.get("payload"), inp.get("format") or "auto",
                         received_at=_CASE_TIME, new_id=lambda: f"{case_id}-{next(counter)}")
