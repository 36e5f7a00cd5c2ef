"""Blameless postmortem drafts in the Google SRE template, from the incident's own record.

The offline draft fills every section from facts the record holds (timeline, linked decisions,
actions, remediation checks) and marks what a human must still write. With an LLM writer
configured, the narrative sections (summary, root cause, lessons) are drafted from the same
facts; the timeline and the facts stay as recorded. The draft enters the knowledge-base review
(quarantine); only an approved draft becomes a retrievable postmortem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from agent.incidents.model import Incident, TimelineEntry
from agent.kernel.decision import Decision

log = logging.getLogger(__name__)
# (facts as Markdown) -> {"summary": …, "root_cause": …, "went_well": …, "went_badly": …}
Writer = Callable[[str], dict[str, str]]
TODO = "_To be completed by the responders in the review._"
_SKIP = ("action_proposed", "status_reminder")


@dataclass(frozen=True)
class Draft:
    """A postmortem draft: title, Markdown body and where its facts came from."""

    incident_id: str
    title: str
    markdown: str
    signal_ids: list[str]
    runbook: str | None
    writer: str  # "template" | "llm"


def _minutes(a: datetime | None, b: datetime | None) -> str:
    if a is None or b is None:
        return "n/a"
    return f"{(b - a).total_seconds() / 60:.0f} min"


def _who(actor: str) -> str:
    """Roles, not blame: the system, or the surface a responder used."""
    via, _, ident = actor.partition(":")
    return "Triage" if via == "system" else f"a responder ({via} {ident})"


def _line(entry: TimelineEntry) -> str:
    why = f" — {entry.reason}" if entry.reason else ""
    return f"| {entry.at.strftime('%Y-%m-%d %H:%M')} | {_who(entry.actor)} | {entry.event} | " \
           f"{entry.detail.replace('|', '/')}{why.replace('|', '/')} |"


def facts(incident: Incident, decisions: list[Decision]) -> dict[str, str]:
    """The recorded facts each section is built from."""
    trigger = decisions[0] if decisions else None
    actions = [f"`{a.tool}` {a.status}" + (f" ({a.verification})" if a.verification else "")
               for d in decisions for a in d.actions if a.status in ("executed", "failed",
                                                                    "refused")]
    escalated = [e for e in incident.timeline if e.event in ("escalated", "escalated_now")]
    checks = [e for e in incident.timeline if e.event.startswith("remediation_")]
    return {
        "impact": (f"{incident.priority} ({incident.severity}) on "
                   f"{incident.service or 'an unknown service'} (team {incident.team or 'none'})"
                   + (f"; {trigger.impact} impact × {trigger.urgency} urgency"
                      if trigger else "")),
        "trigger": (f"{trigger.source} signal `{trigger.signal_id}`: {trigger.title}"
                    if trigger else "not recorded"),
        "detection": (f"opened by {_who(incident.opened_by)} at "
                      f"{incident.opened_at:%H:%M} UTC from {len(decisions)} linked signal(s)"),
        "response": (f"time to acknowledge {_minutes(incident.opened_at, incident.acknowledged_at)}"
                     f", to mitigate {_minutes(incident.opened_at, incident.mitigated_at)}, to "
                     f"resolve {_minutes(incident.opened_at, incident.resolved_at)}; "
                     f"{len(escalated)} escalation(s)"),
        "actions": "; ".join(actions) or "no remediation was executed",
        "checks": "; ".join(f"{e.event.removeprefix('remediation_')}: {e.detail}"
                            for e in checks) or "no follow-up check ran",
        "rationale": trigger.rationale[:600] if trigger else "",
    }


def _lessons(incident: Incident, f: dict[str, str]) -> tuple[list[str], list[str]]:
    good, bad = [], []
    if incident.origin == "decision":
        good.append("Triage opened the incident from the signals without waiting for a human.")
    if incident.verification == "verified":
        good.append("The remediation was verified by its follow-up check.")
    if incident.verification == "not_verified":
        bad.append("The first remediation did not fix the problem (its check failed).")
    if incident.escalations:
        bad.append(f"Nobody acknowledged in time: {incident.escalations} escalation(s) "
                   "were needed.")
    elif incident.acknowledged_at is not None:
        good.append("The first responder acknowledged before any escalation.")
    if not incident.runbook:
        bad.append("No runbook matched this incident.")
    return good or [TODO], bad or [TODO]


def draft(incident: Incident, decisions: list[Decision], writer: Writer | None = None) -> Draft:
    """The blameless draft in the Google SRE template."""
    f = facts(incident, decisions)
    good, bad = _lessons(incident, f)
    narrative = {"summary": (f"{incident.title}. {f['impact']}. Resolved after "
                             f"{_minutes(incident.opened_at, incident.resolved_at)}."),
                 "root_cause": TODO, "went_well": "", "went_badly": ""}
    used = "template"
    if writer is not None:
        try:
            wrote = writer(_facts_markdown(incident, f))
            narrative.update({k: v.strip() for k, v in wrote.items()
                              if k in narrative and isinstance(v, str) and v.strip()})
            used = "llm"
        except Exception:  # the template draft is always there to fall back on
            log.exception("postmortem writer failed", extra={"incident": incident.id})
    timeline = [_line(e) for e in incident.timeline if e.event not in _SKIP]
    items = [f"- [ ] Review runbook `{incident.runbook}` against what was done (owner: "
             f"{incident.team or 'owning team'})"] if incident.runbook else [
        f"- [ ] Write a runbook for this failure (owner: {incident.team or 'owning team'})"]
    if incident.verification != "verified":
        items.append("- [ ] Add a `verify:` check to the runbook so the fix can be confirmed")
    if incident.escalations:
        items.append("- [ ] Review on-call coverage and the escalation policy timeouts")
    lines = [
        "---", f"title: \"Postmortem: {incident.title.replace(chr(34), chr(39))}\"",
        "kind: postmortem", f"incident: {incident.id}",
        f"services: [{incident.service}]" if incident.service else "services: []",
        f"team: {incident.team or ''}", "status: draft", "---",
        f"# Postmortem: {incident.title}", "",
        f"**Incident:** {incident.id} · **Date:** {incident.opened_at:%Y-%m-%d} · "
        f"**Status:** draft (blameless) · **Commander:** {incident.commander or 'n/a'}", "",
        "## Summary", narrative["summary"], "",
        "## Impact", f["impact"] + ".", "",
        "## Root Causes", narrative["root_cause"], "",
        "## Trigger", f["trigger"] + ".", "",
        "## Resolution", f"{f['actions']}. Follow-up checks: {f['checks']}.", "",
        "## Detection", f["detection"] + ".", "",
        "## Response", f["response"] + ".", "",
        "## Action Items", *items, "",
        "## Lessons Learned", "### What went well",
        *([narrative["went_well"]] if narrative["went_well"] else [f"- {g}" for g in good]),
        "", "### What went wrong",
        *([narrative["went_badly"]] if narrative["went_badly"] else [f"- {b}" for b in bad]),
        "", "### Where we got lucky", TODO, "",
        "## Timeline", "| time (UTC) | who | event | detail |", "|---|---|---|---|", *timeline,
        "", f"_Drafted by Triage ({used}) from the incident record; facts are as recorded._",
    ]
    return Draft(incident.id, f"Postmortem: {incident.title}"[:200], "\n".join(lines) + "\n",
                 incident.linked("decision"), incident.runbook, used)


def _facts_markdown(incident: Incident, f: dict[str, str]) -> str:
    rows = "\n".join(_line(e) for e in incident.timeline if e.event not in _SKIP)
    return (f"Incident {incident.id}: {incident.title}\n" +
            "\n".join(f"- {k}: {v}" for k, v in f.items()) + f"\n\nTimeline:\n{rows}\n")
