"""Block Kit for incident channels: the summary card with lifecycle buttons, timeline lines."""

from __future__ import annotations

from typing import Any

from agent.incidents.model import Incident, TimelineEntry
from agent.kernel.decision import Decision
from agent.slack.text import code, safe

INC_ACK, INC_MITIGATE, INC_RESOLVE = "incident_ack", "incident_mitigate", "incident_resolve"
INC_HANDOVER = "incident_handover"
_STATE_EMOJI = {"open": ":red_circle:", "acknowledged": ":large_orange_circle:",
                "mitigated": ":large_yellow_circle:", "resolved": ":large_green_circle:"}


def card_text(incident: Incident) -> str:
    """Plain fallback text of the card."""
    return safe(f"{incident.id} {incident.status} {incident.priority}: {incident.title}", 300)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "button", "action_id": action_id, "value": value,
                           "text": {"type": "plain_text", "text": text}}
    if style:
        out["style"] = style
    return out


def card_blocks(incident: Incident, decision: Decision | None,
                verification: str | None = None) -> list[dict[str, Any]]:
    """What, impact, priority, runbook, proposed actions, state and the lifecycle buttons."""
    emoji = _STATE_EMOJI.get(incident.status, "")
    impact = "unknown"
    if decision is not None:
        impact = (f"impact {decision.impact} × urgency {decision.urgency} on "
                  f"{decision.service or 'unknown service'}")
    actions = ", ".join(f"{code(a.tool, 60)} {a.status}"
                        + (f" ({a.verification})" if a.verification else "")
                        for a in (decision.actions if decision else [])[:5]) or "none"
    runbook = code(incident.runbook) if incident.runbook else "none found"
    fields = [("Priority", f"{incident.priority} ({incident.severity})"),
              ("State", f"{emoji} {incident.status}"), ("Team", incident.team or "none"),
              ("Commander", f"<@{safe(incident.commander, 30)}>" if incident.commander
               else "nobody yet")]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": f"{incident.id}: {incident.title}"[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{safe(v, 200)}"
                                        if k != "Commander" else f"*{k}*\n{v}"}
                                       for k, v in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join([
            f"*What:* {safe(incident.title, 300)}", f"*Impact:* {safe(impact, 300)}",
            f"*Runbook:* {runbook}", f"*Proposed actions:* {actions}",
            f"*Remediation check:* {verification or incident.verification or 'none yet'}"])}},
    ]
    if incident.status != "resolved":
        buttons = []
        if incident.status == "open":
            buttons.append(_button("Acknowledge", INC_ACK, incident.id, "primary"))
        if incident.status in ("open", "acknowledged"):
            buttons.append(_button("Mitigated", INC_MITIGATE, incident.id))
        buttons.append(_button("Resolve", INC_RESOLVE, incident.id, "danger"))
        buttons.append({"type": "users_select", "action_id": INC_HANDOVER,
                        "placeholder": {"type": "plain_text", "text": "Hand over commander"}})
        blocks.append({"type": "actions", "block_id": f"incident:{incident.id}",
                       "elements": buttons})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f"opened {incident.opened_at.strftime('%Y-%m-%d %H:%M UTC')} by "
        f"{safe(incident.opened_by, 60)} · escalations {incident.escalations}")}]})
    return blocks


def timeline_line(entry: TimelineEntry) -> str:
    """One thread message per timeline entry: time, who, what, why."""
    actor = entry.actor
    who = f"<@{safe(actor.split(':', 1)[1], 30)}>" if actor.startswith("slack:") else code(actor,
                                                                                          60)
    why = f" — _{safe(entry.reason, 300)}_" if entry.reason else ""
    return (f"`{entry.at.strftime('%H:%M')}` {who} *{safe(entry.event, 40)}*: "
            f"{safe(entry.detail, 500)}{why}")
