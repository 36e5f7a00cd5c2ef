"""At resolution, draft the postmortem and hand it to the knowledge-base review (quarantine)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from agent.incidents.model import Incident, TimelineEntry
from agent.incidents.postmortem import Draft, Writer, draft
from agent.incidents.service import IncidentService
from agent.store.signals import SignalStore

log = logging.getLogger(__name__)
Submit = Callable[[Draft], str]  # returns the review id (quarantined, not retrievable yet)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incident_postmortems (
  incident_id TEXT PRIMARY KEY, review_id TEXT, writer TEXT NOT NULL, markdown TEXT NOT NULL,
  created_at TEXT NOT NULL);
"""


@dataclass
class PostmortemDesk:
    """Writes one draft per resolution and submits it for review when a KB is attached."""

    service: IncidentService
    decisions: SignalStore | None = None
    submit: Submit | None = None
    writer: Writer | None = None

    def __post_init__(self) -> None:
        with self.service.store.lock:
            self.service.store.conn.executescript(_SCHEMA)
        self.service.listeners.append(self.on_change)

    def on_change(self, incident: Incident, entry: TimelineEntry) -> None:
        """Draft when an incident is resolved (again after a reopen)."""
        if entry.event == "resolved":
            self.draft_for(incident.id, at=entry)

    def draft_for(self, incident_id: str, at: TimelineEntry | None = None) -> Draft:
        """Build, store and submit the draft; record it on the incident."""
        incident = self.service.get(incident_id)
        decisions = [d for d in (self.decisions.get_decision(i) if self.decisions else None
                                 for i in incident.linked("decision")) if d is not None]
        result = draft(incident, decisions, self.writer)
        review_id = None
        if self.submit is not None:
            try:
                review_id = self.submit(result)
            except Exception:  # the draft is kept here; review can be retried by hand
                log.exception("postmortem not submitted", extra={"incident": incident_id})
        when = at.at if at is not None else self.service.clock()
        with self.service.store.tx() as conn:
            conn.execute("INSERT OR REPLACE INTO incident_postmortems VALUES (?,?,?,?,?)",
                         (incident_id, review_id, result.writer, result.markdown,
                          when.isoformat()))

        def mark(record: Incident) -> None:
            record.postmortem_id = review_id

        self.service.record(incident_id, "postmortem_drafted", (
            f"draft {review_id} in knowledge-base review" if review_id else
            "draft kept locally (no knowledge base attached)") + f" ({result.writer})",
            at=when, update=mark, data={"review_id": review_id, "writer": result.writer})
        return result

    def markdown(self, incident_id: str) -> str | None:
        """The stored draft of an incident, if any."""
        with self.service.store.lock:
            row = self.service.store.conn.execute(
                "SELECT markdown FROM incident_postmortems WHERE incident_id = ?",
                (incident_id,)).fetchone()
        return row[0] if row else None
