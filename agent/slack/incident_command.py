"""`/triage incident …`: list, show, declare and step incidents from Slack.

The acting user is the one Slack signed the request for; every change goes through the
incident service and its one authorization rule (approvers of the team, escalation targets,
commander and role holders), exactly as the card buttons, the CLI and the HTTP API do.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond

from agent.incidents.model import Actor, Incident, IncidentError
from agent.incidents.views import one_line
from agent.slack.command import IncidentCommand
from agent.slack.deps import SlackDeps
from agent.slack.text import code, safe

log = logging.getLogger(__name__)
SHOW_TIMELINE = 8
PAST = {"ack": "acknowledged", "mitigate": "mitigated", "resolve": "resolved",
        "reopen": "reopened"}


def _show(incident: Incident) -> str:
    lines = [f"*{safe(incident.id, 20)}* {safe(one_line(incident), 400)}",
             f"opened {incident.opened_at:%Y-%m-%d %H:%M} UTC by {safe(incident.opened_by, 80)}"
             f" · escalations {incident.escalations} · verification "
             f"{incident.verification or 'n/a'}"]
    if incident.slack_channel:
        lines.append(f"channel <#{safe(incident.slack_channel, 30)}>")
    for entry in incident.timeline[-SHOW_TIMELINE:]:
        lines.append(f"• {entry.at:%H:%M} {safe(entry.event, 40)} — "
                     f"{safe(entry.detail, 200)} ({safe(entry.actor, 60)})")
    return "\n".join(lines)


def run_incident(deps: SlackDeps, body: dict[str, Any], respond: Respond,
                 command: IncidentCommand) -> None:
    """Answer one `/triage incident` subcommand as the invoking user."""
    incidents = deps.incidents
    if incidents is None:
        respond(response_type="ephemeral", text="Incident response is not enabled here.")
        return
    service = incidents.service
    if command.verb == "list":
        found = service.list(open_only=True, limit=20)
        text = "\n".join(f"• {safe(one_line(i), 300)}" for i in found) or "No open incidents."
        respond(response_type="ephemeral", text=text)
        return
    actor = Actor(str(body.get("user_id") or ""), "slack")
    try:
        if command.verb == "show":
            respond(response_type="ephemeral", text=_show(service.get(command.incident_id)))
            return
        if command.verb == "open":
            key = f"slack-incident-open:{body.get('trigger_id') or body.get('response_url')}"
            if not deps.posts.claim(key):  # a re-delivered invocation declares nothing twice
                return
            made = service.open(command.text, command.priority, actor, service=command.service,
                                reason="declared in Slack")
            text = (f":rotating_light: {code(made.id, 20)} declared {made.priority} on "
                    f"{code(made.service or '-', 80)} by <@{safe(actor.id, 30)}>: "
                    f"{safe(made.title, 300)}")
        else:
            made = service.transition(command.incident_id, command.verb, actor,
                                      reason=command.text or None)
            text = (f"{code(made.id, 20)} {PAST[command.verb]} by <@{safe(actor.id, 30)}>"
                    + (f": {safe(command.text, 300)}" if command.text else ""))
    except IncidentError as exc:  # unknown incident, refused, or a step the state forbids
        respond(response_type="ephemeral", text=f":no_entry: {safe(str(exc), 400)}")
        return
    incidents.tick()  # cancel or send pages now, not at the next loop tick
    log.info("incident command from slack", extra={"incident": made.id, "user": actor.id,
                                                   "verb": command.verb})
    respond(response_type="in_channel", text=text)
