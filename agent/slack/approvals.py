"""Approve or reject a risky action from Slack, through the facade's one approval path.

`Pipeline.resume_approval` checks the approver (everyone else is refused and audited), records
the decision and continues the run paused in its `act` stage; this module only words the result
for Slack.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.kernel.decision import Decision
from agent.slack.deps import SlackDeps
from agent.slack.text import safe


@dataclass(frozen=True)
class SlackApproval:
    """What happened to a click: accepted (and the decision after resuming) or refused."""

    ok: bool
    message: str
    tool: str = ""
    signal_id: str = ""
    decision: Decision | None = None


def decide_from_slack(deps: SlackDeps, approval_id: str, user: str,
                      accept: bool) -> SlackApproval:
    """Record an approver's Approve/Reject and continue the paused run; deny by default."""
    outcome = deps.pipeline.resume_approval(approval_id, user, accept,
                                            reason=None if accept else "slack")
    if not outcome.ok:
        return SlackApproval(False, outcome.message, outcome.tool, outcome.signal_id)
    verb = "approved" if accept else "rejected"
    return SlackApproval(True, f"{verb} by <@{safe(user, 30)}>", outcome.tool,
                         outcome.signal_id, outcome.decision)
