"""Approval outcomes for surfaces, and the action context an approval request was made under."""

from __future__ import annotations

from dataclasses import dataclass

from agent.kernel.decision import Decision
from tools.approvals import ApprovalRecord
from tools.context import ActionContext


@dataclass(frozen=True)
class ApprovalOutcome:
    """What became of a human's approve/reject: accepted (with the decision after resuming)
    or refused, with a one-line message and the request as it now stands."""

    ok: bool
    message: str
    tool: str = ""
    signal_id: str = ""
    decision: Decision | None = None
    record: ApprovalRecord | None = None
    resumed: bool = False  # the paused run was continued (else only the decision is recorded)


def request_context(record: ApprovalRecord, actor: str) -> ActionContext:
    """The action context of the run that asked for this approval, acted on by `actor`."""
    return ActionContext(scope=record.signal_id, group_id=record.group_id,
                         service=record.service, environment=record.environment,
                         team=record.team, actor=actor, thread_id=record.thread_id)
