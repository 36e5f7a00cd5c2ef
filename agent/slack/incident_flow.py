"""The Slack incident workflow: a channel per P1/P2 incident, a summary card, a thread timeline,
on-call invitations, pages to Slack targets and status-update reminders.

It listens to committed incident changes and delivers outbox rows of Slack targets. Every
post it makes carries message metadata with its key, so after a crash `delivered()` finds an
earlier attempt in the channel's history instead of posting again.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agent.config.org import OrgConfig
from agent.incidents.model import Incident, TimelineEntry
from agent.incidents.outbox import OutboxItem
from agent.incidents.runtime import IncidentResponse
from agent.kernel.decision import Decision
from agent.slack.incident_blocks import INC_ACK, card_blocks, card_text, timeline_line
from agent.slack.posts import SlackPostLog
from agent.slack.text import safe

log = logging.getLogger(__name__)
PAGE_EVENT = "triage_incident_page"
QUIET_EVENTS = ("action_proposed",)  # too chatty for the thread


def channel_name(prefix: str, incident: Incident) -> str:
    """`inc-3-checkout-api`: lower case, ≤ 80 characters, Slack's allowed characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", (incident.service or incident.title).lower()).strip("-")
    return f"{prefix}{incident.id.lower()}-{slug}"[:80].rstrip("-")


class SlackIncidentFlow:
    """Incident channels and pages in Slack for one IncidentResponse."""

    def __init__(self, client: WebClient, config: OrgConfig, incidents: IncidentResponse,
                 posts: SlackPostLog) -> None:
        self.client, self.config, self.incidents, self.posts = client, config, incidents, posts
        self.section = config.incidents.slack

    def attach(self) -> SlackIncidentFlow:
        """Listen to incident changes, deliver Slack pages and send reminders on every tick."""
        self.incidents.service.listeners.append(self.on_change)
        self.incidents.escalation.notifiers.append(self)
        self.incidents.hooks.append(self.remind)
        return self

    # -- incident channel ------------------------------------------------------------------
    def wants_channel(self, incident: Incident) -> bool:
        """P1/P2 (configurable) incidents get a channel."""
        return self.section.enabled and incident.priority in self.section.priorities

    def on_change(self, incident: Incident, entry: TimelineEntry) -> None:
        """Open the channel on the first qualifying change, then keep card and thread current."""
        current = self.incidents.service.store.get(incident.id, full=False)
        if current.slack_channel is None:
            if not self.wants_channel(current):
                return
            self.open_channel(current)
            return
        if entry.event in QUIET_EVENTS:
            return
        self.thread(current, entry)
        if entry.event in ("acknowledged", "mitigated", "resolved", "reopened",
                           "priority_changed", "role_assigned") or entry.event.startswith(
                "remediation_") or entry.event in ("escalated", "escalated_now"):
            self.refresh_card(current)

    def open_channel(self, incident: Incident) -> str | None:
        """Create (or reuse) the channel, invite the on-call, post the card and the timeline."""
        if not self.posts.claim(f"inc-channel:{incident.id}"):
            return None
        name = channel_name(self.section.channel_prefix, incident)
        channel = self._create_or_reuse(name)
        if channel is None:
            return None
        self.posts.record(f"inc-channel:{incident.id}", channel, "")

        def mark(record: Incident) -> None:
            record.slack_channel = channel

        incident = self.incidents.service.record(
            incident.id, "channel_opened", f"#{name}", at=self.incidents.clock.now(),
            update=mark, data={"channel": channel})
        if self.section.invite_on_call:
            self._invite(channel, incident)
        self._post_card(incident)
        for entry in self.incidents.service.store.timeline(incident.id):
            if entry.event not in QUIET_EVENTS:
                self.thread(incident, entry)
        return channel

    def _create_or_reuse(self, name: str) -> str | None:
        try:
            created = self.client.conversations_create(name=name, is_private=False)
            return str(created["channel"]["id"])
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                log.warning("incident channel not created", extra={
                    "channel": name, "error": exc.response.get("error")})
                return None
        cursor = None
        while True:  # reuse the existing channel of that name
            page = self.client.conversations_list(types="public_channel", limit=200,
                                                  exclude_archived=True, cursor=cursor)
            for ch in page.get("channels") or []:
                if ch.get("name") == name:
                    if not ch.get("is_member"):
                        self.client.conversations_join(channel=ch["id"])
                    return str(ch["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    def on_call(self, incident: Incident) -> list[str]:
        """The team's on-call users at this moment (overrides applied)."""
        now = self.incidents.clock.now()
        section = self.config.incidents
        return list(dict.fromkeys(section.responder(u, now)
                                  for u in section.on_call.get(incident.team or "", [])))

    def _invite(self, channel: str, incident: Incident) -> None:
        users = self.on_call(incident)
        if not users:
            return
        try:
            self.client.conversations_invite(channel=channel, users=",".join(users))
        except SlackApiError as exc:
            if exc.response.get("error") != "already_in_channel":
                log.warning("invite failed", extra={"channel": channel,
                                                    "error": exc.response.get("error")})
                return
        self.incidents.service.record(incident.id, "on_call_invited", ", ".join(users),
                                      at=self.incidents.clock.now())

    def _decision(self, incident: Incident) -> Decision | None:
        store = self.incidents.decisions
        refs = self.incidents.service.store.links(incident.id)
        ids = [link.ref for link in refs if link.kind == "decision"]
        if store is None or not ids:
            return None
        found = [d for d in (store.get_decision(i) for i in ids) if d is not None]
        incidents_first = [d for d in found if d.kind == "incident"] or found
        return incidents_first[0] if incidents_first else None

    def _post_card(self, incident: Incident) -> None:
        key = f"inc-card:{incident.id}"
        if self.posts.where(key) or not self.posts.claim(key):
            return
        channel = incident.slack_channel or ""
        response = self.client.chat_postMessage(
            channel=channel, text=card_text(incident),
            blocks=card_blocks(incident, self._decision(incident)), unfurl_links=False)
        self.posts.record(key, str(response.get("channel") or channel), str(response["ts"]))
        self.posts.link_thread(channel, str(response["ts"]), incident.id)

    def refresh_card(self, incident: Incident) -> None:
        """Update the card in place with the current state and buttons."""
        where = self.posts.where(f"inc-card:{incident.id}")
        if where is None:
            return
        try:
            self.client.chat_update(channel=where[0], ts=where[1], text=card_text(incident),
                                    blocks=card_blocks(incident, self._decision(incident)))
        except SlackApiError as exc:
            log.warning("card update failed", extra={"incident": incident.id,
                                                     "error": exc.response.get("error")})

    def thread(self, incident: Incident, entry: TimelineEntry) -> None:
        """Post one timeline entry in the card's thread (once per entry)."""
        where = self.posts.where(f"inc-card:{incident.id}")
        key = f"inc-tl:{incident.id}:{entry.seq or entry.at.isoformat() + entry.event}"
        if where is None or not self.posts.claim(key):
            return
        try:
            self.client.chat_postMessage(channel=where[0], thread_ts=where[1],
                                         text=timeline_line(entry), unfurl_links=False)
        except SlackApiError as exc:
            log.warning("timeline post failed", extra={"incident": incident.id,
                                                       "error": exc.response.get("error")})

    # -- reminders -------------------------------------------------------------------------
    def remind(self, now: datetime) -> None:
        """Post a status-update reminder when an open incident's cadence passed in silence."""
        for incident in self.incidents.service.list(open_only=True, limit=1000):
            every = self.section.status_every.get(incident.priority)
            if not incident.slack_channel or not every:
                continue
            timeline = self.incidents.service.store.timeline(incident.id)
            human = [e.at for e in timeline if not e.actor.startswith("system:")]
            last = max([incident.opened_at, *human,
                        *[e.at for e in timeline if e.event == "status_reminder"]])
            due = last + every
            if due > now:
                continue
            self.incidents.service.record(incident.id, "status_reminder", (
                f"no status update for {_minutes(every)}; post one for stakeholders"), at=due)

    # -- Notifier (Slack targets of the escalation outbox) -------------------------------
    def handles(self, target_type: str) -> bool:
        """Slack users, groups and channels."""
        return target_type in ("slack_user", "slack_group", "slack_channel")

    def _destination(self, item: OutboxItem) -> tuple[str, str]:
        text = safe(str(item.payload.get("text") or ""), 1500)
        if item.target_type == "slack_user":
            opened = self.client.conversations_open(users=item.address)
            return str(opened["channel"]["id"]), text
        incident = self.incidents.service.store.get(item.incident_id, full=False)
        if item.target_type == "slack_group":
            team = self.config.teams.get(incident.team or "")
            channel = incident.slack_channel or (team.slack_channel if team else None)
            if channel is None:
                raise RuntimeError(f"no channel to mention group {item.address} in")
            return channel, f"<!subteam^{safe(item.address, 30)}> {text}"
        return item.address, text

    def send(self, item: OutboxItem) -> None:
        """Post the page with its key in the message metadata."""
        channel, text = self._destination(item)
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
                  {"type": "actions", "block_id": f"incident:{item.incident_id}", "elements": [
                      {"type": "button", "action_id": INC_ACK, "value": item.incident_id,
                       "style": "primary", "text": {"type": "plain_text",
                                                    "text": "Acknowledge"}}]}]
        self.client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                     unfurl_links=False,
                                     metadata={"event_type": PAGE_EVENT,
                                               "event_payload": {"key": item.key}})

    def delivered(self, item: OutboxItem) -> bool:
        """Look for a message carrying the key in the destination's latest 200 messages."""
        channel, _ = self._destination(item)
        history = self.client.conversations_history(channel=channel, include_all_metadata=True,
                                                    limit=200)
        for message in history.get("messages") or []:
            meta = message.get("metadata") or {}
            if (meta.get("event_type") == PAGE_EVENT
                    and (meta.get("event_payload") or {}).get("key") == item.key):
                return True
        return False


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes}m"

