"""The approval half of the runtime: gate a call on a bound approval, record human decisions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from tools.approvals import ApprovalError, ApprovalRecord, ApprovalStore
from tools.context import ActionContext
from tools.envelope import ToolResult
from tools.registry import Registry, ToolSpec, args_hash


class ApprovalFlow:
    """Mixin for ToolRuntime: approval requests, the approval gate, decisions and edits."""

    approvals: ApprovalStore
    registry: Registry
    approval_ttl: timedelta
    clock: Callable[[], datetime]
    approvers: Callable[[str | None], list[str]]
    _record: Callable[..., None]
    _refuse: Callable[..., ToolResult]
    _emit: Callable[..., None]
    call: Callable[..., ToolResult]

    def _approval_gate(self, spec: ToolSpec, ctx: ActionContext, values: dict, a_hash: str,
                       key: str, target: str, plan: Any,
                       record: ApprovalRecord | None) -> ToolResult | None:
        """None when a valid approval authorises this exact call; else the envelope to return."""
        common = dict(args=values, a_hash=a_hash, key=key, risk=spec.risk.value, target=target)
        approvers = self.approvers(ctx.team)
        if record is None or record.status in ("pending", "superseded"):
            if not approvers:
                return self._refuse(spec.name, ctx, f"{spec.name} needs an approval and team "
                                    f"{ctx.team!r} has no approvers", **common)
            now = self.clock()
            record, new = self.approvals.request(ApprovalRecord(
                id=key[:12], idem_key=key, tool=spec.name, args=_json(values), args_hash=a_hash,
                signal_id=ctx.scope, group_id=ctx.group_id, team=ctx.team, service=ctx.service,
                environment=ctx.environment, risk=spec.risk.value,
                description=f"{plan.description}: {plan.commands}", thread_id=ctx.thread_id,
                status="pending", requested_at=now.isoformat(),
                expires_at=(now + self.approval_ttl).isoformat(), approver=None,
                decided_at=None, reason=None))
            if new:
                self._record("approval_requested", spec.name, ctx, args=values,
                             args_hash=a_hash, idem_key=key, risk=spec.risk.value,
                             target=target, actor=ctx.actor, status="pending",
                             detail={"approval_id": record.id, "commands": plan.commands})
            if record.status in ("pending", "superseded"):
                if record.expired(now):
                    return self._refuse(spec.name, ctx, f"approval request {record.id} expired",
                                        **common)
                return ToolResult(tool=spec.name, status="approval_required", risk=spec.risk,
                                  commands=plan.commands, idempotency_key=key,
                                  approval_id=record.id,
                                  data=interrupt_payload(record, plan, approvers))
        if record.status == "rejected":
            return self._refuse(spec.name, ctx, f"rejected by {record.approver}", **common)
        problem = record.binding_problem(spec.name, a_hash, ctx.scope, approvers, self.clock())
        if problem:
            return self._refuse(spec.name, ctx, problem, **common)
        return None

    def decide(self, approval_id: str, approver: str, accept: bool,
               reason: str | None = None) -> ApprovalRecord:
        """Record a human decision on a pending request; raises ApprovalError when not allowed."""
        record = self.approvals.get(approval_id)
        if record is None:
            raise ApprovalError(f"no approval request {approval_id}")
        approvers = self.approvers(record.team)
        if approver not in approvers:
            raise ApprovalError(f"{approver!r} is not an approver of team {record.team!r}")
        now = self.clock()
        if record.status == "pending" and record.expired(now):
            raise ApprovalError(f"approval request {approval_id} expired at {record.expires_at}")
        status = "approved" if accept else "rejected"
        decided = self.approvals.decide(approval_id, status, approver, now,
                                        now + self.approval_ttl, reason)
        if record.status == "pending":
            ctx = ActionContext(scope=record.signal_id, group_id=record.group_id,
                                service=record.service, environment=record.environment,
                                team=record.team, actor=approver)
            self._record(status, record.tool, ctx, args=_loads(record.args),
                         args_hash=record.args_hash, idem_key=record.idem_key,
                         risk=record.risk, actor=approver, status=status,
                         detail={"approval_id": approval_id, "reason": reason,
                                 "expires_at": decided.expires_at})
            self._emit(status, approval_id=approval_id)
        return decided

    def approve_edit(self, approval_id: str, tool: str, new_args: dict, ctx: ActionContext,
                     approver: str) -> ApprovalRecord | None:
        """An approver edited the arguments: approve exactly the edited call instead.

        The original request is marked superseded (it stays answerable by the same edit, so a
        re-run after a crash reaches the same outcome).
        """
        original = self.approvals.get(approval_id)
        if original is None:
            raise ApprovalError(f"no approval request {approval_id}")
        if approver not in self.approvers(original.team):
            raise ApprovalError(f"{approver!r} is not an approver of team {original.team!r}")
        if original.tool != tool:
            raise ApprovalError("an edit may change arguments, not the tool")
        spec = self.registry.get(tool)
        try:
            values = spec.args_model.model_validate(new_args).model_dump(mode="json") \
                if spec else None
        except ValidationError as exc:
            raise ApprovalError(f"edited arguments invalid: {exc.errors()[0]['msg']}") from None
        if values is not None and args_hash(tool, values) == original.args_hash:
            return self.decide(approval_id, approver, accept=True, reason="edit without change")
        now = self.clock()
        self.approvals.decide(approval_id, "superseded", approver, now,
                              datetime.fromisoformat(original.expires_at), "edited")
        res = self.call(tool, new_args, ctx)
        if res.status == "refused":
            raise ApprovalError(f"edited arguments refused: {res.error}")
        if res.status == "approval_required" and res.approval_id:
            return self.decide(res.approval_id, approver, accept=True, reason="edited")
        return None


def interrupt_payload(record: ApprovalRecord, plan: Any, approvers: list[str]) -> dict:
    """The agent-inbox HumanInterrupt shape for one approval request."""
    return {
        "action_request": {"action": record.tool, "args": _loads(record.args)},
        "config": {"allow_accept": True, "allow_edit": True, "allow_respond": False,
                   "allow_ignore": True},
        "allowed_responses": ["accept", "edit", "reject"],
        "description": (f"{record.risk} action for signal {record.signal_id}: "
                        f"{plan.description}. Would run: {plan.commands}"),
        "approval_id": record.id, "approvers": approvers, "expires_at": record.expires_at,
    }


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _loads(text: str) -> Any:
    return json.loads(text)
