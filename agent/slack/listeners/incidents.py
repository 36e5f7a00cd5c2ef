"""Incident card buttons: acknowledge, mitigated, resolve and hand over commander."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from agent.incidents.model import Actor, IncidentError
from agent.slack.deps import SlackDeps
from agent.slack.incident_blocks import INC_ACK, INC_HANDOVER, INC_MITIGATE, INC_RESOLVE
from agent.slack.text import safe

log = logging.getLogger(__name__)
VERBS = {INC_ACK: "ack", INC_MITIGATE: "mitigate", INC_RESOLVE: "resolve"}


def _tell(client: WebClient, body: dict[str, Any], text: str) -> None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    if channel:
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)


def _incident_id(body: dict[str, Any], action: dict[str, Any]) -> str:
    value = str(action.get("value") or "")
    if value:
        return value
    block = str(action.get("block_id") or "")
    return block.split(":", 1)[1] if block.startswith("incident:") else ""


def handle(deps: SlackDeps, client: WebClient, body: dict[str, Any], action: dict[str, Any]
           ) -> None:
    """Run the button's lifecycle step as the clicking user (same authorization as the API)."""
    incidents = deps.incidents
    if incidents is None:
        _tell(client, body, "Incident response is not enabled here.")
        return
    actor = Actor(str(body["user"]["id"]), "slack")
    incident_id = _incident_id(body, action)
    try:
        if action.get("action_id") == INC_HANDOVER:
            user = str(action.get("selected_user") or "")
            incidents.service.assign(incident_id, "commander", user, actor,
                                     reason="handed over in Slack")
        else:
            incidents.service.transition(incident_id, VERBS[str(action.get("action_id"))],
                                         actor)
    except IncidentError as exc:
        _tell(client, body, f":no_entry: {safe(str(exc), 400)}")
        return
    incidents.tick()
    log.info("incident step from slack", extra={"incident": incident_id, "user": actor.id,
                                                "action": action.get("action_id")})


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register the incident card's button and select listeners."""
    for action_id in (INC_ACK, INC_MITIGATE, INC_RESOLVE, INC_HANDOVER):
        def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                     client: WebClient) -> None:
            ack()
            handle(deps, client, body, action)
        app.action(action_id)(listener)
