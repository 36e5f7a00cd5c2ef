"""ToolRuntime: the only way tools run. Registry → args → policy → approval → limits → ledger.

Every step is recorded in the audit ledger; side effects are keyed by idempotency key so a
re-run after a crash never repeats a completed (or possibly completed) execution.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.org import OrgConfig
from agent.config.sections import ToolsSection
from agent.kernel.clock import utc_now
from agent.kernel.db import db_file, open_db, reopen
from agent.kernel.durations import parse_duration
from tools.approval_flow import ApprovalFlow
from tools.approvals import ApprovalRecord, ApprovalStore
from tools.builtin import default_registry
from tools.context import ActionContext
from tools.egress import EgressPolicy
from tools.egress_guard import guarded
from tools.envelope import ToolResult
from tools.executor import DEFAULT_PATH, Executor, SubprocessExecutor
from tools.ledger import Ledger
from tools.limits import limit_problem
from tools.policy import Policy, load_policy
from tools.registry import Registry, ToolContext, ToolFailure, ToolSpec, args_hash
from tools.results import invoke, refused_args, result_from_ledger

log = logging.getLogger(__name__)
Hook = Callable[[str, dict[str, Any]], None]


def _own_connection(db: sqlite3.Connection | str | Path) -> sqlite3.Connection:
    """A private autocommit connection to the same database (in-memory ones are shared)."""
    if not isinstance(db, sqlite3.Connection):
        return open_db(db)
    if db_file(db):
        return reopen(db)
    db.isolation_level = None  # explicit BEGIN IMMEDIATE transactions only
    return db


class ToolRuntime(ApprovalFlow):
    """Registry, policy, ledger, approvals, limits and executor behind one `call()`."""

    def __init__(self, conn: sqlite3.Connection, section: ToolsSection, config: OrgConfig,
                 *, registry: Registry | None = None, policy: Policy | None = None,
                 executor: Executor | None = None, clock: Callable[[], datetime] | None = None,
                 hook: Hook | None = None, egress: EgressPolicy | None = None) -> None:
        self.section, self.config = section, config
        self.egress = egress or EgressPolicy.from_targets(config.targets)
        self.registry = registry or default_registry()
        self.policy = policy or load_policy(section.policy_file)
        self.executor = executor or SubprocessExecutor(path=section.bin_path or DEFAULT_PATH)
        self.clock = clock or utc_now
        self.hook = hook
        db_lock = threading.RLock()  # one transaction at a time on the shared connection
        self.ledger = Ledger(conn, db_lock)
        self.approvals = ApprovalStore(conn, db_lock)
        self.approval_ttl = parse_duration(section.approval_ttl)
        self._slots = threading.BoundedSemaphore(section.max_concurrency)

    @classmethod
    def open(cls, db: sqlite3.Connection | str | Path, section: ToolsSection,
             config: OrgConfig, executor: Executor | None = None,
             clock: Callable[[], datetime] | None = None, **kwargs: Any) -> ToolRuntime:
        """A runtime on a database connection or path (a path gets its own connection)."""
        return cls(_own_connection(db), section, config, executor=executor, clock=clock,
                   **kwargs)

    # -- helpers ---------------------------------------------------------------------------
    def approvers(self, team: str | None) -> list[str]:
        """Who may approve for `team` (empty → nobody, so approval-needing actions refuse)."""
        entry = self.config.teams.get(team or "")
        return list(entry.approvers) if entry else []

    def _emit(self, stage: str, **info: Any) -> None:
        if self.hook is not None:
            self.hook(stage, info)

    def _record(self, event: str, spec_name: str, ctx: ActionContext, **kw: Any) -> None:
        self.ledger.append(event, spec_name, ts=self.clock(), signal_id=ctx.scope,
                           group_id=ctx.group_id, service=ctx.service,
                           environment=ctx.environment, **kw)

    def _tool_context(self, spec: ToolSpec) -> ToolContext:
        return ToolContext(self.executor, self.section, spec.timeout_s, self.egress)

    # -- the one entry point ---------------------------------------------------------------
    def call(self, tool: str, args: Any, ctx: ActionContext, *,
             dry_run: bool = False) -> ToolResult:
        """Validate, authorise and (maybe) run one tool call; never raises."""
        try:
            return self._call(tool, args, ctx, dry_run or self.section.dry_run)
        except Exception as exc:  # a tool must never raise into the agent loop
            log.exception("tool call failed", extra={"tool": tool})
            return ToolResult(tool=str(tool)[:64], status="error",
                              error=f"internal: {type(exc).__name__}: {exc}"[:500])

    def _refuse(self, tool: str, ctx: ActionContext, reason: str, *, args: Any = None,
                a_hash: str = "", key: str | None = None, risk: str | None = None,
                target: str | None = None) -> ToolResult:
        self._record("refused", tool, ctx, args=refused_args(args), args_hash=a_hash,
                     idem_key=key, risk=risk, target=target, actor=ctx.actor, status="refused",
                     detail={"reason": reason})
        log.info("tool refused", extra={"tool": tool, "reason": reason})
        return ToolResult(tool=tool, status="refused", error=reason, idempotency_key=key)

    def _call(self, tool: str, raw_args: Any, ctx: ActionContext, dry_run: bool) -> ToolResult:
        name = tool if isinstance(tool, str) else repr(tool)
        name = name if len(name) <= 64 else name[:64] + "…"
        if not self.section.enabled:
            return self._refuse(name, ctx, "tools are disabled (kill switch)", args=raw_args)
        spec = self.registry.get(tool)
        if spec is None:
            return self._refuse(name, ctx, f"{name!r} is not a registered tool", args=raw_args)
        try:
            args = spec.args_model.model_validate(raw_args if raw_args is not None else {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'args'}: {e['msg']}"
                                 for e in exc.errors()[:5])
            return self._refuse(spec.name, ctx, f"invalid arguments: {problems}", args=raw_args,
                                risk=spec.risk.value)
        values = args.model_dump(mode="json")
        a_hash = args_hash(spec.name, values)
        key = spec.idempotency_key(ctx.scope, args)
        target = spec.target(args)
        common = dict(args=values, a_hash=a_hash, key=key, risk=spec.risk.value, target=target)
        tctx = self._tool_context(spec)
        try:
            plan = spec.plan(args, tctx)
        except (ValueError, OSError, ToolFailure) as exc:
            return self._refuse(spec.name, ctx, f"cannot plan: {exc}", **common)
        verdict = self.policy.verdict(spec.name, spec.risk, ctx.service, ctx.environment)
        if not verdict.allowed:
            return self._refuse(spec.name, ctx, verdict.reason, **common)
        if dry_run:
            self._record("dry_run", spec.name, ctx, args=values, args_hash=a_hash, idem_key=key,
                         risk=spec.risk.value, target=target, actor=ctx.actor, status="dry_run",
                         detail={"commands": plan.commands, "description": plan.description,
                                 "needs_approval": verdict.needs_approval})
            return ToolResult(tool=spec.name, status="dry_run", commands=plan.commands,
                              data={"description": plan.description,
                                    "needs_approval": verdict.needs_approval},
                              risk=spec.risk, idempotency_key=key)
        done = self._replay(spec, ctx, key, a_hash, values, target)
        if done is not None:
            return done
        approval: ApprovalRecord | None = None
        if verdict.needs_approval:
            approval = self.approvals.by_key(key)
            gate = self._approval_gate(spec, ctx, values, a_hash, key, target, plan, approval)
            if gate is not None:
                return gate
        problem = limit_problem(self.ledger, self.policy, spec.name, target, self.clock())
        if problem:
            return self._refuse(spec.name, ctx, problem, **common)
        if not self._slots.acquire(timeout=self.section.max_queue_s):
            return self._refuse(spec.name, ctx, "concurrency limit reached", **common)
        try:
            return self._execute(spec, ctx, args, values, a_hash, key, target, plan, approval)
        finally:
            self._slots.release()

    def _replay(self, spec: ToolSpec, ctx: ActionContext, key: str, a_hash: str,
                values: dict, target: str) -> ToolResult | None:
        """A finished (or interrupted) execution of this key: never run it again."""
        results = self.ledger.by_key(key, "result")
        if results:
            return result_from_ledger(spec, results[-1])
        if self.ledger.has_key(key, "started"):
            reason = "interrupted during execution; outcome unknown, not re-run (at most once)"
            self._record("result", spec.name, ctx, args=values, args_hash=a_hash, idem_key=key,
                         risk=spec.risk.value, target=target, actor=ctx.actor, status="error",
                         detail={"error": reason, "unknown": True})
            return ToolResult(tool=spec.name, status="error", error=reason, risk=spec.risk,
                              idempotency_key=key)
        return None

    def _execute(self, spec: ToolSpec, ctx: ActionContext, args: Any, values: dict,
                 a_hash: str, key: str, target: str, plan: Any,
                 approval: ApprovalRecord | None) -> ToolResult:
        kw = dict(args=values, args_hash=a_hash, idem_key=key, risk=spec.risk.value,
                  target=target, actor=ctx.actor)
        self._record("started", spec.name, ctx, status="started",
                     detail={"commands": plan.commands,
                             "approval_id": approval.id if approval else None,
                             "approver": approval.approver if approval else None}, **kw)
        self._emit("started", tool=spec.name, key=key)
        start = time.monotonic()
        with guarded(spec.name) as guard:  # every socket/DNS attempt checked at the boundary
            result = invoke(spec, args, self._tool_context(spec), plan,
                            self.section.max_output_chars)
        self._emit("executed", tool=spec.name, key=key)
        result = result.model_copy(update={
            "duration_ms": round((time.monotonic() - start) * 1000, 1), "risk": spec.risk,
            "idempotency_key": key, "approval_id": approval.id if approval else None})
        detail = result.model_dump(mode="json", exclude={"tool", "risk"})
        if guard.attempts:
            detail["egress"] = {"attempts": guard.attempts[:50],
                                "violations": guard.violations[:50]}
        if guard.violations:
            log.warning("egress outside the policy", extra={"tool": spec.name,
                                                            "violations": guard.violations[:5]})
        self._record("result", spec.name, ctx, status=result.status, detail=detail, **kw)
        return result

    def record_proposal(self, tool: str, args: Any, ctx: ActionContext, note: str) -> None:
        """Append a `proposed` row once per (signal, tool, arguments)."""
        spec = self.registry.get(tool)
        a_hash = args_hash(str(tool), args if isinstance(args, dict) else {"_": str(args)})
        key = f"proposal:{ctx.scope}:{a_hash[:24]}"
        if self.ledger.has_key(key, "proposed"):
            return
        self._record("proposed", str(tool)[:64], ctx, args=refused_args(args), args_hash=a_hash,
                     idem_key=key, risk=spec.risk.value if spec else None, actor=ctx.actor,
                     status="proposed", detail={"note": note[:200]})

    def record_refusal(self, tool: str, args: Any, ctx: ActionContext, reason: str) -> None:
        """Append a `refused` row for a refusal decided outside `call()` (e.g. bad approver)."""
        self._refuse(str(tool)[:64], ctx, reason, args=args)

    def unsafe_executions(self) -> int:
        """Executions in the ledger that policy should have stopped (CONTRACTS §5)."""
        from tools.audit import count_unsafe

        return count_unsafe(self.ledger, self.registry, self.policy)


