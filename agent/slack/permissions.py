"""Who may do what from Slack: approvers listed in the config, deny by default."""

from __future__ import annotations

from agent.config.org import OrgConfig


def is_approver(config: OrgConfig, team: str | None, user: str | None) -> bool:
    """True only when `user` is listed in `teams[team].approvers` (unknown team: nobody)."""
    entry = config.teams.get(team or "")
    return bool(user) and entry is not None and user in entry.approvers


def is_any_approver(config: OrgConfig, user: str | None) -> bool:
    """True when `user` approves for at least one team (knowledge-base reviewers)."""
    return bool(user) and any(user in team.approvers for team in config.teams.values())


def may_suppress(config: OrgConfig, service: str | None, user: str | None) -> tuple[bool, str]:
    """Whether `user` may declare maintenance or silence for `service` (and why not)."""
    if service is None:
        if is_any_approver(config, user):
            return True, ""
        return False, "only configured approvers may add silences"
    team = config.service_team(service)
    if team is None:
        return False, f"{service!r} is not a catalog service with an owning team"
    if not is_approver(config, team, user):
        return False, f"only approvers of team {team!r} may suppress {service!r}"
    return True, ""


def may_review(config: OrgConfig, user: str | None, teams: set[str]) -> bool:
    """Approvers of the learning's teams review it; with no known team, any approver."""
    if not teams:
        return is_any_approver(config, user)
    return any(is_approver(config, team, user) for team in teams)
