"""`triage tools|approvals|audit …`: run allowlisted tools, decide approvals, check the ledger.

Exit codes of `tools run`: 0 success/no_data/dry_run, 1 error, 2 bad input, 3 refused,
4 approval required (approve with `triage approvals approve ID --approver U`, then re-run
with `--approval ID`).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.options import ConfigOpt, HomeOpt, fail, resolve_config, resolve_settings

app = typer.Typer(help="List and run allowlisted tools.", no_args_is_help=True)
approvals_app = typer.Typer(help="Pending approvals for risky actions.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit ledger.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output.")]
ApproverOpt = Annotated[str, typer.Option("--approver", help="Your approver id (Slack user id "
                                                             "listed in teams.*.approvers).")]
EXIT = {"success": 0, "no_data": 0, "dry_run": 0, "error": 1, "refused": 3,
        "approval_required": 4}


def _runtime(home: Path | None, config: Path | None):  # -> (ToolRuntime, Settings, OrgConfig)
    from agent.wiring import tool_runtime

    settings = resolve_settings(home=home, config=config)
    cfg = resolve_config(settings)
    try:
        return tool_runtime(settings, cfg), settings, cfg
    except ValueError as exc:  # a broken policy file
        raise fail(str(exc)) from None


@app.command("list")
def list_tools(home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Registered tools with their risk level, timeout and arguments."""
    runtime, _, _ = _runtime(home, config)
    rows = [{"name": s.name, "risk": s.risk.value, "timeout_s": s.timeout_s,
             "description": s.description,
             "args": s.args_model.model_json_schema().get("properties", {})}
            for s in runtime.registry.specs()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']:<24} {row['risk']:<10} {row['timeout_s']:>5.0f}s  "
                   f"{row['description']}  args: {', '.join(row['args'])}")


@app.command("run")
def run_tool(name: Annotated[str, typer.Argument(help="Tool name (see `triage tools list`).")],
             args: Annotated[str, typer.Option("--args", help="Arguments as a JSON object.")]
             = "{}",
             dry_run: Annotated[bool, typer.Option("--dry-run", help="Print exactly what would "
                                                   "run; run nothing.")] = False,
             service: Annotated[str | None, typer.Option("--service")] = None,
             env: Annotated[str | None, typer.Option("--env", help="Environment.")] = None,
             team: Annotated[str | None, typer.Option("--team", help="Team whose approvers "
                                                      "may approve.")] = None,
             approval: Annotated[str | None, typer.Option("--approval", help="Run the call "
                                                          "approved under this id.")] = None,
             home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Run one tool through the policy, approvals and audit ledger."""
    from tools.runtime import ActionContext

    try:
        parsed = json.loads(args)
    except ValueError as exc:
        raise fail(f"--args: not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise fail("--args: must be a JSON object")
    runtime, _, _ = _runtime(home, config)
    if approval:
        record = runtime.approvals.get(approval)
        if record is None:
            raise fail(f"--approval: no approval request {approval}")
        ctx = ActionContext(scope=record.signal_id, group_id=record.group_id,
                            service=record.service, environment=record.environment,
                            team=record.team, actor="cli")
    else:
        ctx = ActionContext(scope=f"manual:{uuid.uuid4().hex[:12]}", service=service,
                            environment=env, team=team, actor="cli")
    result = runtime.call(name, parsed, ctx, dry_run=dry_run)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print_result(result)
    raise typer.Exit(EXIT[result.status])


def _print_result(result: Any) -> None:
    typer.echo(f"{result.tool}: {result.status}")
    for argv in result.commands:
        typer.echo(f"  {'would run' if result.status == 'dry_run' else 'argv'}: "
                   f"{json.dumps(argv)}")
    if result.error:
        typer.echo(f"  error: {result.error}")
    if result.status == "approval_required":
        typer.echo(f"  approval id: {result.approval_id} (approvers: "
                   f"{', '.join((result.data or {}).get('approvers', []))})")
        typer.echo(f"  approve: triage approvals approve {result.approval_id} --approver ID")
    elif result.data is not None:
        typer.echo("  data (untrusted output): "
                   + json.dumps(result.data, indent=2, default=str).replace("\n", "\n  "))
    if result.truncated:
        typer.echo("  (output truncated)")


@approvals_app.command("list")
def approvals_list(all_: Annotated[bool, typer.Option("--all", help="Include decided.")] = False,
                   home: HomeOpt = None, config: ConfigOpt = None,
                   as_json: JsonOpt = False) -> None:
    """Pending approval requests (or all with --all)."""
    runtime, _, _ = _runtime(home, config)
    records = runtime.approvals.list(None if all_ else "pending")
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in records], indent=2))
        return
    if not records:
        typer.echo("no pending approvals" if not all_ else "no approval requests")
    for r in records:
        typer.echo(f"{r.id}  {r.status:<10} {r.tool} {r.args}  signal={r.signal_id} "
                   f"team={r.team} expires={r.expires_at}"
                   f"{'  by ' + r.approver if r.approver else ''}")


def _decide(approval_id: str, approver: str, accept: bool, reason: str | None,
            resume: bool, home: Path | None, config: Path | None) -> None:
    from agent.cli.options import open_pipeline_or_exit

    runtime, settings, cfg = _runtime(home, config)
    pipe = open_pipeline_or_exit(settings, cfg, use_kb=False, tools=runtime)
    outcome = pipe.resume_approval(approval_id, approver, accept, reason=reason, resume=resume)
    if not outcome.ok or outcome.record is None:
        raise fail(outcome.message, code=3)
    record = outcome.record
    typer.echo(f"{record.id}: {record.status} by {record.approver} "
               f"(valid until {record.expires_at})")
    if not resume:
        return
    if not outcome.resumed:
        typer.echo(f"run {record.thread_id or record.signal_id} is not waiting for an "
                   "approval; the decision is recorded")
    elif outcome.decision is not None:
        statuses = ", ".join(f"{a.tool}={a.status}" for a in outcome.decision.actions)
        typer.echo(f"resumed {record.thread_id or record.signal_id}: {statuses}")


@approvals_app.command("approve")
def approvals_approve(approval_id: Annotated[str, typer.Argument(help="Approval id.")],
                      approver: ApproverOpt,
                      resume: Annotated[bool, typer.Option(
                          "--resume/--no-resume", help="Continue the paused triage run.")]
                      = True,
                      home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Approve exactly the pending call (tool + arguments + signal), then resume its run."""
    _decide(approval_id, approver, True, None, resume, home, config)


@approvals_app.command("reject")
def approvals_reject(approval_id: Annotated[str, typer.Argument(help="Approval id.")],
                     approver: ApproverOpt,
                     reason: Annotated[str | None, typer.Option("--reason")] = None,
                     resume: Annotated[bool, typer.Option("--resume/--no-resume")] = True,
                     home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Reject a pending call; the action ends as refused."""
    _decide(approval_id, approver, False, reason, resume, home, config)


@audit_app.command("tail")
def audit_tail(n: Annotated[int, typer.Option("-n", "--lines", help="How many rows.")] = 20,
               home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """The last rows of the audit ledger."""
    runtime, _, _ = _runtime(home, config)
    for row in runtime.ledger.tail(n):
        if as_json:
            typer.echo(json.dumps(row.__dict__))
        else:
            typer.echo(f"{row.seq:>6} {row.ts} {row.event:<18} {row.tool:<24} "
                       f"{row.status or '':<17} signal={row.signal_id} actor={row.actor} "
                       f"args={row.args[:80]}")


@audit_app.command("verify")
def audit_verify(home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Check the hash chain and count executions policy should have stopped (exit 1 if bad)."""
    from tools.audit import unsafe_rows

    runtime, _, _ = _runtime(home, config)
    ok, summary = runtime.ledger.verify()
    typer.echo(f"{'ok' if ok else 'BROKEN'}: {summary}")
    unsafe = unsafe_rows(runtime.ledger, runtime.registry, runtime.policy)
    typer.echo(f"unsafe executions: {len(unsafe)}")
    for row, reason in unsafe:
        typer.echo(f"  row {row.seq}: {row.tool} ({reason})")
    if not ok or unsafe:
        raise typer.Exit(1)
