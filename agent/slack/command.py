"""Parse `/triage` subcommands: text to triage, why, maintenance, silence, incident, help."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from agent.kernel.durations import parse_duration
from agent.kernel.matchers import parse_matcher

USAGE = ("Usage: `/triage <text>` · `/triage why <signal_id> [question]` · "
         "`/triage maintenance <service> <duration> <reason>` · "
         "`/triage silence <label=value>... <duration> <comment>` · "
         "`/triage review` (quarantined learnings) · `/triage incident list|show|ack|mitigate|"
         "resolve|reopen|open …`")
INCIDENT_USAGE = ("usage: `/triage incident list` · `/triage incident show INC-n` · "
                  "`/triage incident ack|mitigate|resolve|reopen INC-n [reason]` · "
                  "`/triage incident open <P1-P5> <service> <title>`")
INCIDENT_STEPS = ("ack", "mitigate", "resolve", "reopen")
_INCIDENT_ID = re.compile(r"^INC-[0-9]{1,9}$")
MAX_WINDOW = timedelta(days=7)
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_MATCHER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(=~|!=|!~|=)")


class CommandError(ValueError):
    """A `/triage` invocation that cannot be understood (the message says how to fix it)."""


@dataclass(frozen=True)
class TriageText:
    """`/triage <text>`: triage the text as a Slack signal."""

    text: str


@dataclass(frozen=True)
class Why:
    """`/triage why <signal_id> [question]`."""

    signal_id: str
    question: str = ""


@dataclass(frozen=True)
class Suppress:
    """`/triage maintenance …` or `/triage silence …`: a runtime window or silence."""

    kind: str  # maintenance | silence
    matchers: list[str]
    duration: timedelta
    reason: str
    service: str | None


@dataclass(frozen=True)
class Help:
    """`/triage` or `/triage help`."""


@dataclass(frozen=True)
class Review:
    """`/triage review`: quarantined learnings with Promote / Reject buttons."""


@dataclass(frozen=True)
class IncidentCommand:
    """`/triage incident <verb> …`: list, show, open, or a lifecycle step."""

    verb: str  # list | show | open | ack | mitigate | resolve | reopen
    incident_id: str = ""
    priority: str = ""
    service: str | None = None
    text: str = ""  # the reason of a step, or the title of a declared incident


Command = TriageText | Why | Suppress | Help | Review | IncidentCommand


def _duration(token: str) -> timedelta:
    try:
        value = parse_duration(token)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"duration {token!r}: {exc} (e.g. 30m, 2h)") from None
    if value <= timedelta(0) or value > MAX_WINDOW:
        raise CommandError(f"duration {token!r}: must be between 1s and 7d")
    return value


def _matcher(token: str) -> str:
    found = _MATCHER.match(token)
    if found is None:
        raise CommandError(f"matcher {token!r}: expected label=value")
    name, op = token[:found.start(1)], found.group(1)
    value = token[found.end():].strip('"').replace('"', "")
    text = f'{name}{op}"{value}"'
    try:
        parse_matcher(text)
    except ValueError as exc:
        raise CommandError(f"matcher {token!r}: {exc}") from None
    return text


def parse_incident(words: list[str]) -> IncidentCommand:
    """`/triage incident …` (the words after `incident`)."""
    verb = words[0].lower() if words else ""
    if verb == "list" and len(words) == 1:
        return IncidentCommand("list")
    if verb in ("show", *INCIDENT_STEPS) and len(words) >= 2:
        ident = words[1].upper()
        if not _INCIDENT_ID.match(ident):
            raise CommandError(f"incident id {words[1][:40]!r}: expected INC-<number>")
        return IncidentCommand(verb, ident, text=" ".join(words[2:])[:500])
    if verb == "open" and len(words) >= 4:
        priority, service = words[1].upper(), words[2]
        if priority not in ("P1", "P2", "P3", "P4", "P5"):
            raise CommandError(f"priority {words[1][:10]!r}: must be P1 to P5")
        if not _NAME.match(service):
            raise CommandError(f"service {service!r}: letters, digits and . _ : - only")
        return IncidentCommand("open", priority=priority, service=service,
                               text=" ".join(words[3:])[:300])
    raise CommandError(INCIDENT_USAGE)


def parse_command(text: str) -> Command:
    """The subcommand in the `/triage` text; anything that is not a subcommand is triaged."""
    words = text.split()
    if not words or words[0].lower() in ("help", "-h", "--help"):
        return Help()
    head = words[0].lower()
    if head == "review" and len(words) == 1:
        return Review()
    if head == "incident":
        return parse_incident(words[1:])
    if head == "why":
        if len(words) < 2:
            raise CommandError("usage: `/triage why <signal_id> [question]`")
        return Why(words[1], " ".join(words[2:]))
    if head == "maintenance":
        if len(words) < 4:
            raise CommandError("usage: `/triage maintenance <service> <duration> <reason>`")
        service = words[1]
        if not _NAME.match(service):
            raise CommandError(f"service {service!r}: letters, digits and . _ : - only")
        return Suppress("maintenance", [f'service="{service}"'], _duration(words[2]),
                        " ".join(words[3:]), service)
    if head == "silence":
        matchers = [_matcher(w) for w in words[1:] if _MATCHER.match(w)]
        rest = [w for w in words[1:] if not _MATCHER.match(w)]
        if not matchers or len(rest) < 2:
            raise CommandError("usage: `/triage silence <label=value>... <duration> <comment>`")
        service = next((m.split('"')[1] for m in matchers if m.startswith('service="')), None)
        return Suppress("silence", matchers, _duration(rest[0]), " ".join(rest[1:]), service)
    return TriageText(text.strip())
