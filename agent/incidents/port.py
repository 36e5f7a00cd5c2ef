"""The port the triage graph's effects stage calls after a decision is stored (or acted on)."""

from __future__ import annotations

from typing import Protocol

from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from knowledge.types import DocHit


class IncidentPort(Protocol):
    """Incident response as seen from the graph: observe every stored decision."""

    def observe(self, signal: Signal, decision: Decision, runbooks: list[DocHit]) -> None:
        """Open or update incidents, settle checks and escalate; never raises into the graph."""
        ...
