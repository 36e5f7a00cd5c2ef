"""Replay the bundled incident scenario: alerts open an incident, it escalates, is acknowledged
in Slack, gets a verified remediation, resolves and produces a postmortem draft in review.

The replay's clock is the signal stream (`StreamClock` with no base): each step advances it to
the step's time, so escalation and KPIs come out exactly as in the live run. Humans act through
a `Surface`: `DirectSurface` calls the same services a Slack click reaches (the demo);
the tests pass one that clicks the real Bolt app instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml

from agent.config.escalation import IncidentsSection
from agent.config.org import OrgConfig
from agent.incidents.model import Actor
from agent.incidents.runtime import IncidentResponse
from agent.pipeline import Pipeline

log = logging.getLogger(__name__)
# no cluster is reachable from the demo: the remediation runs this shim instead of kubectl
KUBECTL_SHIM = "#!/bin/sh\necho \"demo shim, no cluster: kubectl $*\"\n"


@dataclass(frozen=True)
class Step:
    """One scenario step at a signal time: a signal, a tick or a human action in Slack."""

    at: datetime
    say: str
    signal: dict[str, Any] | None = None
    tick: bool = False
    slack: dict[str, str] | None = None


@dataclass
class Scenario:
    """A named incident scenario: its incidents config section and steps."""

    name: str
    incidents: IncidentsSection
    steps: list[Step]

    def config(self, base: OrgConfig) -> OrgConfig:
        """`base` with the scenario's incidents section."""
        return base.model_copy(update={"incidents": self.incidents})


def load_scenario(path: str | Path | None = None) -> Scenario:
    """The bundled scenario (or one at `path`)."""
    text = (Path(path).read_text(encoding="utf-8") if path else
            resources.files("agent.demo").joinpath("incident_scenario.yaml").read_text("utf-8"))
    data = yaml.safe_load(text)
    steps = [Step(at=datetime.fromisoformat(str(s["at"]).replace("Z", "+00:00")),
                  say=str(s.get("say") or ""), signal=s.get("signal"),
                  tick=bool(s.get("tick")), slack=s.get("slack")) for s in data["steps"]]
    return Scenario(str(data.get("name") or "scenario"),
                    IncidentsSection.model_validate(data.get("incidents") or {}), steps)


def demo_tools_bin(home: Path) -> Path:
    """A folder holding the kubectl shim the demo's remediation runs."""
    folder = home / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "kubectl"
    shim.write_text(KUBECTL_SHIM, encoding="utf-8")
    shim.chmod(0o755)
    return folder


class Surface(Protocol):
    """How the scenario's humans act (Slack clicks, or the services those clicks reach)."""

    def transition(self, incident_id: str, verb: str, user: str) -> None:
        """Acknowledge / mitigate / resolve as `user`."""
        ...

    def approve(self, approval_id: str, user: str) -> None:
        """Approve a pending remediation as `user`."""
        ...


@dataclass
class DirectSurface:
    """The services a Slack click reaches, called directly (no Slack needed)."""

    pipeline: Pipeline

    def transition(self, incident_id: str, verb: str, user: str) -> None:
        """The incident service with a Slack actor (same authorization as a click)."""
        incidents = self.pipeline.incidents
        assert isinstance(incidents, IncidentResponse)
        incidents.service.transition(incident_id, verb, Actor(user, "slack"))

    def approve(self, approval_id: str, user: str) -> None:
        """Resume the paused run with the approver's accept, as the Slack Approve button does."""
        outcome = self.pipeline.resume_approval(approval_id, user, True)
        if not outcome.ok:
            raise RuntimeError(f"approval {approval_id}: {outcome.message}")


@dataclass
class Replay:
    """What a replay did: the incident id and a line per step."""

    incident_id: str | None = None
    lines: list[str] = field(default_factory=list)


def pending_approval(pipeline: Pipeline, incident_id: str, tool: str) -> str | None:
    """The first pending approval of `tool` for a signal linked to the incident."""
    incidents = pipeline.incidents
    assert isinstance(incidents, IncidentResponse)
    linked = incidents.service.get(incident_id).linked("decision")
    for record in pipeline.tools.approvals.list("pending"):
        if record.tool == tool and record.signal_id in linked:
            return record.id
    return None


def replay(pipeline: Pipeline, scenario: Scenario, surface: Surface,
           after: Callable[[Step, Replay], None] | None = None) -> Replay:
    """Run every step in order on the pipeline; `after(step, result)` sees each step's end."""
    incidents = pipeline.incidents
    assert isinstance(incidents, IncidentResponse), "the pipeline has no incident response"
    out = Replay()
    for step in scenario.steps:
        incidents.clock.advance_to(step.at)
        if step.signal is not None:
            decisions = pipeline.triage(step.signal["payload"], step.signal.get("format", "auto"))
            out.lines.append(f"{step.at:%H:%M} {step.say}: " + ", ".join(
                f"{d.kind} {d.priority}" for d in decisions))
        if out.incident_id is None:
            opened = incidents.service.list(limit=1)
            out.incident_id = opened[0].id if opened else None
        if step.slack is not None and out.incident_id is not None:
            user, action = step.slack["user"], step.slack["action"]
            if action == "approve":
                approval = pending_approval(pipeline, out.incident_id, step.slack["tool"])
                if approval is None:
                    raise RuntimeError(f"no pending {step.slack['tool']} approval to approve")
                surface.approve(approval, user)
            else:
                surface.transition(out.incident_id, action, user)
            out.lines.append(f"{step.at:%H:%M} {step.say}")
        incidents.tick(step.at)
        if step.tick:
            out.lines.append(f"{step.at:%H:%M} {step.say}")
        if after is not None:
            after(step, out)
    return out
