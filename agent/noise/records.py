"""Plain records of the noise state: a group's row, a group key's sorted member index and the
stored outcome of a dedup key's first signal."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

# (group_id, suppressed_by, flags, anomaly, notify_reason) of a fresh signal's outcome;
# flags: maintenance 1, flapping 2, notify 4, correlated 8, new_group 16.
OutcomeRow = tuple[str, str | None, int, str | None, str]


@dataclass
class GroupRow:
    """One group's mutable record."""

    group_id: str
    gkey: str
    service: str | None
    first_anchor: float
    last_ts: float
    kind: str = "event"
    priority: str | None = None
    last_notify: float | None = None
    n_alerts: int = 0
    n_firing: int = 0
    multi: bool = False  # holds members of more than one group key (correlated sources)

    @property
    def status(self) -> str:
        """Resolved once it has alerts and none of them fires, else open."""
        return "resolved" if self.n_alerts and not self.n_firing else "open"


@dataclass
class KeyIndex:
    """The members of one group key, sorted by anchor time."""

    anchors: list[float] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)

    def add(self, anchor: float, sid: str) -> None:
        """Insert one member keeping the order."""
        pos = bisect_right(self.anchors, anchor)
        self.anchors.insert(pos, anchor)
        self.sids.insert(pos, sid)

    def neighbours(self, anchor: float, window: float) -> list[str]:
        """The nearest member at or before `anchor` and after it, each within `window`."""
        pos = bisect_right(self.anchors, anchor)
        out = []
        if pos and anchor - self.anchors[pos - 1] <= window:
            out.append(self.sids[pos - 1])
        if pos < len(self.anchors) and self.anchors[pos] - anchor <= window:
            out.append(self.sids[pos])
        return out
