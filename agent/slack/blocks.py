"""Block Kit rendering of decisions, approval requests and knowledge-base reviews."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agent.kernel.decision import Decision
from agent.slack.text import code, safe

APPROVE, REJECT = "approval_approve", "approval_reject"
RESOLVE = "mark_resolved"
KB_PROMOTE, KB_REJECT = "kb_promote", "kb_reject"
RESOLVE_VIEW = "resolve_learning"
_EMOJI = {"incident": ":rotating_light:", "alert": ":warning:", "event": ":information_source:",
          "request": ":inbox_tray:"}


@dataclass(frozen=True)
class PendingApproval:
    """An approval request shown with Approve / Reject buttons."""

    id: str
    tool: str
    args: dict[str, Any]
    risk: str | None
    expires_at: str


def headline(decision: Decision) -> str:
    """One line: kind, priority, severity, team and the signal's title (plain fallback text)."""
    team = f" → {decision.team}" if decision.team else ""
    title = f": {decision.title}" if decision.title else ""
    return safe(f"{decision.kind.upper()} {decision.priority} ({decision.severity}){team}{title}",
                300)


def _facts(decision: Decision) -> list[dict[str, str]]:
    facts = [("Kind", f"{decision.kind} / {decision.event_type}"),
             ("Priority", f"{decision.priority} ({decision.severity}) = impact {decision.impact}"
                          f" × urgency {decision.urgency}"),
             ("Team", decision.team or "none"), ("Service", decision.service or "none")]
    if decision.security:
        facts.append(("Security", "yes"))
    return [{"type": "mrkdwn", "text": f"*{name}*\n{safe(value, 200)}"} for name, value in facts]


def _noise(decision: Decision) -> str | None:
    noise = decision.noise
    if noise.duplicate_of:
        return f"Duplicate of {code(noise.duplicate_of)}"
    if noise.suppressed_by:
        return f"Suppressed by {code(noise.suppressed_by, 120)}"
    return None


def _runbook_line(decision: Decision) -> str:
    link = f"<{decision.runbook_url}|runbook link>" if decision.runbook_url else None
    if not decision.runbooks:
        return f"*Runbook:* {link} (from the alert)" if link else "*Runbook:* none found"
    top = decision.runbooks[0]
    line = f"*Runbook:* {code(top.id)} {safe(top.title, 200)} (score {top.score:.2f})"
    return f"{line} · {link}" if link else line


def _actions_line(decision: Decision) -> str | None:
    if not decision.actions:
        return None
    items = [f"{code(a.tool, 60)} {a.status}" for a in decision.actions[:5]]
    return "*Actions:* " + ", ".join(items)


def decision_blocks(decision: Decision, *, approvals: list[PendingApproval] | tuple = (),
                    resolvable: bool = True) -> list[dict[str, Any]]:
    """The decision as Block Kit: facts, rationale, top runbook, actions and buttons."""
    emoji = _EMOJI.get(decision.kind, "")
    title = safe(decision.title, 250) or "(no title)"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"{emoji} *{decision.kind.upper()} {decision.priority}* · {title}")}},
        {"type": "section", "fields": _facts(decision)},
    ]
    lines = [f"*Why:* {safe(decision.rationale, 1500) or 'no rationale recorded'}",
             _runbook_line(decision), _noise(decision), _actions_line(decision)]
    blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                               "text": "\n".join(x for x in lines if x)}})
    for approval in approvals:
        blocks += approval_blocks(approval)
    if resolvable and decision.kind in ("alert", "incident"):
        blocks.append({"type": "actions", "block_id": f"resolve:{decision.signal_id}"[:255],
                       "elements": [_button("Mark resolved", RESOLVE, decision.signal_id)]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f"signal {code(decision.signal_id)} · source {decision.source} · "
        f"confidence {decision.confidence:.2f} · reasoner {decision.reasoner} · "
        f"`/triage why {safe(decision.signal_id, 80)}`")}]})
    return blocks


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "value": value[:2000],
                              "text": {"type": "plain_text", "text": text[:75]}}
    if style:
        button["style"] = style
    return button


def approval_blocks(approval: PendingApproval) -> list[dict[str, Any]]:
    """One pending approval: what would run, and Approve / Reject buttons."""
    args = safe(json.dumps(approval.args, sort_keys=True), 500)
    text = (f":lock: *Approval needed* ({safe(approval.risk or 'risky', 20)}): "
            f"{code(approval.tool, 60)} `{args}` · expires {safe(approval.expires_at, 40)}")
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": f"approval:{approval.id}"[:255], "elements": [
            _button(f"Approve {approval.tool}", APPROVE, approval.id, "primary"),
            _button("Reject", REJECT, approval.id, "danger")]},
    ]


def learning_blocks(learning_id: str, symptom: str, fix: str, flags: list[str],
                    author: str) -> list[dict[str, Any]]:
    """A quarantined learning with Promote / Reject buttons for knowledge-base reviewers."""
    flagged = f"\n:warning: flagged: {safe(', '.join(flags), 200)}" if flags else ""
    text = (f":books: *Learning {code(learning_id)} quarantined* (by <@{safe(author, 30)}>)\n"
            f"*Symptom:* {safe(symptom, 500)}\n*Fix:* {safe(fix, 1200)}{flagged}")
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": f"learning:{learning_id}"[:255], "elements": [
            _button("Promote to knowledge base", KB_PROMOTE, learning_id, "primary"),
            _button("Reject", KB_REJECT, learning_id, "danger")]},
    ]


def resolve_modal(signal_id: str, title: str, metadata: dict[str, str]) -> dict[str, Any]:
    """The "Mark resolved" modal: how it was fixed (becomes a quarantined learning)."""
    return {
        "type": "modal", "callback_id": RESOLVE_VIEW,
        "private_metadata": json.dumps({**metadata, "signal_id": signal_id})[:3000],
        "title": {"type": "plain_text", "text": "Mark resolved"},
        "submit": {"type": "plain_text", "text": "Save learning"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": safe(title, 500) or "-"}},
            {"type": "input", "block_id": "fix", "label": {
                "type": "plain_text", "text": "What fixed it?"},
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": 2000}},
        ],
    }
