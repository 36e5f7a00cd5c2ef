"""Approve or reject a risky action from Slack: check the approver, then resume the graph.

The graph paused in its `act` stage with a LangGraph `interrupt()`; the Slack click resumes the
thread (the signal id) with `Command(resume={approval_id: HumanResponse})`. Only users listed
in `teams[team].approvers` get that far: everyone else is refused here, before the graph runs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from langgraph.types import Command

from agent.kernel.decision import Decision
from agent.slack.deps import SlackDeps
from agent.slack.permissions import is_approver
from agent.slack.text import safe
from tools.approvals import ApprovalError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApprovalOutcome:
    """What happened to a click: accepted (and the decision after resuming) or refused."""

    ok: bool
    message: str
    tool: str = ""
    signal_id: str = ""
    decision: Decision | None = None


def decide_from_slack(deps: SlackDeps, approval_id: str, user: str,
                      accept: bool) -> ApprovalOutcome:
    """Record an approver's Approve/Reject and continue the paused run; deny by default."""
    tools = deps.tools
    if tools is None:
        return ApprovalOutcome(False, "Remediation tools are disabled here.")
    record = tools.approvals.get(approval_id)
    if record is None:
        return ApprovalOutcome(False, f"No approval request {approval_id}.")
    if not is_approver(deps.config, record.team, user):
        from tools.runtime import ActionContext

        ctx = ActionContext(scope=record.signal_id, group_id=record.group_id,
                            service=record.service, environment=record.environment,
                            team=record.team, actor=user)
        tools.record_refusal(record.tool, json.loads(record.args), ctx,
                             f"slack user {user} is not an approver of team {record.team}")
        log.warning("approval refused", extra={"approval_id": approval_id, "user": user,
                                               "team": record.team})
        return ApprovalOutcome(False, f"Only approvers of team {record.team or 'none'} may "
                                      f"decide on {record.tool}.", record.tool, record.signal_id)
    verb = "approved" if accept else "rejected"
    with deps.resume_lock:
        current = tools.approvals.get(approval_id)
        if current is None or current.status != "pending":
            state = current.status if current else "gone"
            who = f" by {current.approver}" if current and current.approver else ""
            return ApprovalOutcome(False, f"This request is already {state}{who}.",
                                   record.tool, record.signal_id)
        pipeline = deps.pipeline
        config = {"configurable": {"thread_id": record.thread_id or record.signal_id}}
        snapshot = pipeline.graph.get_state(config)
        response = {"type": "accept" if accept else "reject", "approver": user}
        if snapshot.interrupts:
            pipeline.graph.invoke(Command(resume={approval_id: response}), config,
                                  context=pipeline.context)
        else:  # the run is no longer paused: record the human decision only
            try:
                tools.decide(approval_id, user, accept, reason="slack")
            except ApprovalError as exc:
                return ApprovalOutcome(False, str(exc), record.tool, record.signal_id)
    decision = pipeline.store.get_decision(record.signal_id)
    log.info("approval decided", extra={"approval_id": approval_id, "user": user,
                                        "accept": accept})
    return ApprovalOutcome(True, f"{verb} by <@{safe(user, 30)}>", record.tool,
                           record.signal_id, decision)
