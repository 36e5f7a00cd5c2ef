"""Flap detection: an alert whose state changes too often in a window is flapping."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass


@dataclass
class FlapState:
    """Whether the alert flaps now, whether it just started to, and how many changes were seen."""

    flapping: bool
    started: bool
    changes: int


def _changes(events: list[tuple[float, str]]) -> int:
    count, previous = 0, "resolved"
    for _, status in events:
        if status != previous:
            count += 1
            previous = status
    return count


def record(conn: sqlite3.Connection, fingerprint: str, when: float, status: str,
           threshold: int, window: float) -> FlapState:
    """Add one firing/resolved event and decide flapping (more than `threshold` changes).

    Events are kept in time order, so shuffled deliveries count the same changes.
    """
    row = conn.execute("SELECT events, flapping FROM noise_flaps WHERE fingerprint = ?",
                       (fingerprint,)).fetchone()
    events = [tuple(e) for e in json.loads(row[0])] if row else []
    was = bool(row[1]) if row else False
    events.append((when, status))
    events.sort()
    latest = events[-1][0]
    events = [e for e in events if e[0] >= latest - window]
    changes = _changes(events)  # type: ignore[arg-type]
    now = changes > threshold
    conn.execute("INSERT OR REPLACE INTO noise_flaps VALUES (?,?,?)",
                 (fingerprint, json.dumps(events), int(now)))
    return FlapState(now, now and not was, changes)
