"""Stages 7 and 9: plan actions from the runbook, then act (auto, per policy, or on approval).

Risky (or not auto-approved) actions pause the graph with a LangGraph `interrupt()` carrying
agent-inbox HumanInterrupt requests; `Command(resume=...)` continues. The decision is stored
before pausing so callers see `awaiting_approval`, and the ledger's idempotency keys make
re-running this node after a resume or a crash safe.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.actions.planning import propose
from agent.context import TriageContext
from agent.kernel.decision import ActionRef, Decision
from agent.state import TriageState
from tools.approvals import ApprovalError
from tools.envelope import ToolResult, action_status
from tools.runtime import ActionContext, ToolRuntime

log = logging.getLogger(__name__)
ACTIONABLE = ("alert", "incident")


def _eligible(state: TriageState, tools: ToolRuntime | None) -> Decision | None:
    decision = state.decision
    if tools is None or decision is None or decision.kind not in ACTIONABLE:
        return None
    if decision.noise.duplicate_of or decision.noise.suppressed_by:
        return None
    if state.noise is not None and (state.noise.duplicate_of or state.noise.suppressed_by):
        return None
    return decision


def _context(state: TriageState, decision: Decision) -> ActionContext:
    labels = state.signal.labels
    env = labels.get("env") or labels.get("environment")
    try:
        from langgraph.config import get_config

        thread = get_config().get("configurable", {}).get("thread_id")
    except RuntimeError:
        thread = None
    return ActionContext(scope=decision.signal_id, group_id=decision.noise.group_id or None,
                         service=decision.service, environment=env, team=decision.team,
                         thread_id=str(thread) if thread else None)


def plan_actions(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Propose actions (status `proposed`) for alerts and incidents that are not noise."""
    tools: ToolRuntime | None = runtime.context.tools
    decision = _eligible(state, tools)
    if decision is None or tools is None:
        return {}
    actions = propose(state.signal, decision, state.runbooks, tools.registry,
                      deploy_log=bool(tools.section.deploy_log), config=tools.config)
    if not actions:
        return {}
    ctx = _context(state, decision)
    for action in actions:
        try:
            tools.record_proposal(action.tool, action.args, ctx, action.detail or "")
        except Exception:  # the audit row is best effort here; execution records fail closed
            log.exception("could not record a proposal", extra={"tool": action.tool})
    return {"decision": decision.model_copy(update={"actions": actions})}


def _summary(result: ToolResult) -> str:
    if result.status in ("error", "refused"):
        return (result.error or result.status)[:300]
    if result.status == "approval_required":
        data = result.data or {}
        return (f"approval {result.approval_id} pending; approvers: "
                f"{', '.join(data.get('approvers', []))}; would run {result.commands}")[:300]
    if result.status == "dry_run":
        return f"would run {result.commands or (result.data or {}).get('description')}"[:300]
    text = json.dumps(result.data, sort_keys=True, default=str)
    return f"{result.status}: {text}"[:300]


def _updated(action: ActionRef, result: ToolResult, args: dict | None = None) -> ActionRef:
    return action.model_copy(update={
        "status": action_status(result), "detail": _summary(result),
        "risk": result.risk.value if result.risk else action.risk,
        **({"args": args} if args is not None else {})})


def _responses(value: Any, pending: list[tuple[int, ToolResult]]) -> dict[str, dict]:
    """Map approval id → HumanResponse from a resume value.

    Accepted shapes: one HumanResponse (`{"type": ...}`, applies to every listed request), a
    list aligned with the interrupt's requests, or a dict keyed by approval id.
    """
    ids = [r.approval_id or "" for _, r in pending]
    if isinstance(value, dict) and "type" in value:
        return {i: value for i in ids}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k in ids and isinstance(v, dict)}
    if isinstance(value, list):
        return {i: v for i, v in zip(ids, value, strict=False) if isinstance(v, dict)}
    return {}


def _apply(tools: ToolRuntime, action: ActionRef, result: ToolResult, response: dict,
           ctx: ActionContext) -> tuple[dict, str | None]:
    """Record one human response; returns (args to run, refusal reason or None)."""
    approver = str(response.get("approver") or response.get("user") or "")
    kind = response.get("type")
    approval_id = result.approval_id or ""
    try:
        if kind == "accept":
            tools.decide(approval_id, approver, accept=True)
            return action.args, None
        if kind == "edit":
            edited = response.get("args") or {}
            if not isinstance(edited, dict) or edited.get("action") != action.tool:
                tools.decide(approval_id, approver, accept=False, reason="edit changed the tool")
                return action.args, "an edit may change arguments, not the tool"
            new_args = edited.get("args") if isinstance(edited.get("args"), dict) else {}
            tools.approve_edit(approval_id, action.tool, new_args, ctx, approver)
            return new_args, None
        tools.decide(approval_id, approver, accept=False, reason=str(kind or "ignored"))
        return action.args, None
    except ApprovalError as exc:
        tools.record_refusal(action.tool, action.args, ctx, str(exc))
        return action.args, str(exc)
    except Exception as exc:  # never let a bad response crash the run: refuse instead
        log.exception("approval response failed", extra={"tool": action.tool})
        return action.args, f"approval response could not be applied: {type(exc).__name__}"


def act(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Run proposed actions: read-only now, safe_write per policy, others after approval."""
    tools: ToolRuntime | None = runtime.context.tools
    decision = _eligible(state, tools)
    if decision is None or tools is None or not decision.actions:
        return {}
    ctx = _context(state, decision)
    actions = list(decision.actions)
    results = [tools.call(a.tool, a.args, ctx) for a in actions]
    actions = [_updated(a, r) for a, r in zip(actions, results, strict=True)]
    pending = [(i, r) for i, r in enumerate(results) if r.status == "approval_required"]
    while pending:  # each round is one interrupt; answered rounds replay on resume
        waiting = decision.model_copy(update={"actions": actions})
        runtime.context.store.save_decision(waiting)
        answers = _responses(interrupt([r.data for _, r in pending]), pending)
        still: list[tuple[int, ToolResult]] = []
        for i, result in pending:
            response = answers.get(result.approval_id or "")
            if response is None:
                still.append((i, result))
                continue
            args, refusal = _apply(tools, decision.actions[i], result, response, ctx)
            if refusal:
                actions[i] = actions[i].model_copy(update={"status": "refused",
                                                           "detail": refusal[:300]})
                continue
            final = tools.call(decision.actions[i].tool, args, ctx)
            actions[i] = _updated(decision.actions[i], final, args)
        pending = still
    updated = decision.model_copy(update={"actions": actions})
    runtime.context.store.save_decision(updated)
    if runtime.context.incidents is not None:
        runtime.context.incidents.observe(state.signal, updated, state.runbooks)
    log.info("acted", extra={"signal_id": decision.signal_id,
                             "statuses": [a.status for a in actions]})
    return {"decision": updated}
