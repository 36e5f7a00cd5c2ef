"""Priority lanes for the decision backlog: what a storm must not delay is decided first.

Assigned when a signal is accepted, from the signal alone and an in-memory record of the
dedup and group keys this process has seen (bounded, oldest forgotten first):

0. urgent: a firing critical/error/page signal of a group not seen before (incident class);
1. new: the first signal of a group not seen before;
2. urgent member: a critical signal of a group already seen;
3. member: another signal of a group already seen;
4. repeat: a dedup key already seen (a likely duplicate).

Lanes only order the work; every signal is still decided, and the noise gate decides what is
a duplicate or a group member for real.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from agent.kernel.signal import Signal
from agent.noise.keys import dedup_key, group_key

URGENT, NEW, URGENT_MEMBER, MEMBER, REPEAT = range(5)
LANE_NAMES = ("urgent", "new", "urgent_member", "member", "repeat")
URGENT_SEVERITIES = frozenset({"critical", "crit", "error", "high", "page", "p1", "sev1",
                               "disaster", "emergency", "fatal", "major"})


def is_urgent(signal: Signal) -> bool:
    """A firing signal whose sender severity is critical, error or page-worthy."""
    return signal.status == "firing" and (signal.severity or "").lower() in URGENT_SEVERITIES


class _Seen:
    """A bounded set: the newest `capacity` keys."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str, remember: bool = True) -> bool:
        """Remember `key` (unless not `remember`); True when it was already known."""
        if not remember:
            return key in self._keys
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return False


class LaneSorter:
    """Assigns each accepted signal its lane (thread-safe)."""

    def __init__(self, group_by: list[str], capacity: int = 200_000) -> None:
        self.group_by = list(group_by)
        self._dedup, self._groups = _Seen(capacity), _Seen(capacity)
        self._lock = threading.Lock()

    def lane(self, signal: Signal, remember: bool = True) -> int:
        """The lane of one newly accepted signal (and remember its keys unless told not to)."""
        labels = {**signal.labels, "service": signal.service or signal.labels.get("service", "")}
        gkey = group_key(signal, labels, self.group_by)[0]
        urgent = is_urgent(signal)
        with self._lock:
            repeat = self._dedup.add(dedup_key(signal), remember)
            known = self._groups.add(gkey, remember)
        if repeat:
            return REPEAT
        if not known:
            return URGENT if urgent else NEW
        return URGENT_MEMBER if urgent else MEMBER

    def lanes(self, signals: list[Signal], remember: bool = True) -> list[int]:
        """The lanes of a body's signals, in order."""
        return [self.lane(s, remember) for s in signals]
