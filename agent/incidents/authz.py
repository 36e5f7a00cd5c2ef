"""Who may change an incident: one rule for the CLI, the HTTP API and Slack.

System actors (decisions, escalation, checks) do system work only. CLI operators hold the
database and may do anything. API principals need the `incidents:write` scope when their token
carries scopes. Slack users must be an approver of the incident's team, a target of its
escalation policy, its commander or holder of a role (any configured approver when the incident
has no team).
"""

from __future__ import annotations

from collections.abc import Callable

from agent.config.org import OrgConfig
from agent.incidents.model import Actor, Incident, NotAuthorized

WRITE_SCOPE = "incidents:write"
HUMAN_VERBS = ("ack", "mitigate", "resolve", "reopen", "priority", "assign", "open", "note")
TargetsFn = Callable[[Incident], set[str]]


def _slack_allowed(config: OrgConfig, user: str, incident: Incident | None,
                   targets: TargetsFn | None) -> bool:
    if incident is None or incident.team is None:
        return any(user in t.approvers for t in config.teams.values())
    team = config.teams.get(incident.team)
    if team is not None and user in team.approvers:
        return True
    if user == incident.commander or user in incident.roles.values():
        return True
    return targets is not None and user in targets(incident)


def authorize(config: OrgConfig, actor: Actor, verb: str, incident: Incident | None, *,
              targets: TargetsFn | None = None) -> None:
    """Return when `actor` may `verb` the incident, else raise NotAuthorized saying why."""
    if actor.via == "system":
        if verb in ("ack", "mitigate", "resolve", "priority", "assign"):
            raise NotAuthorized(f"{verb} needs a human actor")
        return
    if not actor.id.strip():
        raise NotAuthorized("the actor has no identity")
    if actor.via == "cli":
        return
    if actor.via == "api":
        if actor.scopes and WRITE_SCOPE not in actor.scopes and "admin" not in actor.scopes:
            raise NotAuthorized(f"the token lacks the {WRITE_SCOPE} scope")
        return
    if not _slack_allowed(config, actor.id, incident, targets):
        team = incident.team if incident else None
        raise NotAuthorized(f"<@{actor.id}> is not an approver, on-call target or role holder "
                            f"for team {team or '(none)'}")
