"""Team routing by the CONTRACTS §1 rule: route, structured service, security team, text service."""

from __future__ import annotations

from agent.config.org import OrgConfig


def route_team(labels: dict[str, str], config: OrgConfig, *, service: str | None,
               service_source: str | None, security: bool) -> tuple[str | None, str]:
    """Pick the team and say which rule decided it (first matching route wins)."""
    for index, route in enumerate(config.routes):
        if route.matches(labels):
            return route.team, f"route #{index + 1}"
    if service_source == "structured" and (team := config.service_team(service)):
        return team, f"catalog team of {service}"
    if security and config.security_team:
        return config.security_team, "security team"
    if service_source == "text" and (team := config.service_team(service)):
        return team, f"catalog team of {service} (named in text)"
    return None, "no route or catalog service"
