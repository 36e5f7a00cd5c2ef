"""Which incident a ticket decision belongs to, through the incident records (agent/incidents).

The incident engine links every decision it observes (`incident_links`, kind `signal`). A
ticket's parent is the first ticket of the same instance among the signals of that incident;
when the decision is not linked to an incident, its noise group's incident is used.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol


class IncidentLookup(Protocol):
    """Read access to incident records: the incident of a signal and its linked signals."""

    def incident_of(self, signal_id: str, group_id: str | None) -> tuple[str, list[str]] | None:
        """(incident id, signal ids linked to it), or None."""


class IncidentStoreLookup:
    """IncidentLookup over the incident store in the shared database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        from agent.incidents.store import IncidentStore

        self.store = IncidentStore(conn)

    def incident_of(self, signal_id: str, group_id: str | None) -> tuple[str, list[str]] | None:
        """The incident the signal is linked to, else its group's newest incident."""
        incident = self.store.for_link("signal", signal_id)
        if incident is None and group_id:
            incident = self.store.latest_for_group([group_id])
        if incident is None:
            return None
        signals = [link.ref for link in self.store.links(incident.id) if link.kind == "signal"]
        return incident.id, signals
