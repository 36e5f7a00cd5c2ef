"""Flap detection: an alert whose state changes too often in a window is flapping."""

from __future__ import annotations

from dataclasses import dataclass

from agent.noise.state import NoiseState


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


def record(state: NoiseState, fingerprint: str, when: float, status: str,
           threshold: int, window: float) -> FlapState:
    """Add one firing/resolved event and decide flapping (more than `threshold` changes).

    Events are kept in time order, so shuffled deliveries count the same changes.
    """
    prev = state.get_flap(fingerprint)
    events, was = (list(prev[0]), prev[1]) if prev else ([], False)
    events.append((when, status))
    events.sort()
    latest = events[-1][0]
    events = [e for e in events if e[0] >= latest - window]
    changes = _changes(events)
    now = changes > threshold
    state.put_flap(fingerprint, events, now)
    return FlapState(now, now and not was, changes)
