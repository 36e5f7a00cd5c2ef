"""`triage tickets …`: poll ticket systems, inspect and drain the write-back outbox."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    fail,
    open_pipeline_or_exit,
    resolve_config,
    resolve_settings,
)

app = typer.Typer(help="Ticket systems: poll mode and the write-back outbox.",
                  no_args_is_help=True)
InstanceOpt = Annotated[str | None, typer.Option("--instance", help="One configured instance.")]


def _runtime(home: Any, config: Any, use_kb: bool = True):  # type: ignore[no-untyped-def]
    from agent.kernel.db import open_db
    from agent.wiring import ticket_runtime

    settings = resolve_settings(home=home, config=config)
    org = resolve_config(settings)
    if not org.tickets.instances:
        raise fail("no ticket instances configured (tickets.instances in --config)")
    pipeline = open_pipeline_or_exit(settings, org, use_kb=use_kb)
    runtime = ticket_runtime(org, lambda: open_db(settings.db_path), pipeline.store,
                             env=lambda: os.environ, retriever=pipeline.knowledge)
    return pipeline, runtime


@app.command("poll")
def poll(instance: InstanceOpt = None, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Poll once: new and updated tickets since the saved cursor are triaged and written back."""
    pipeline, runtime = _runtime(home, config)

    def deliver(system: str, name: str, payload: dict[str, Any], key: str) -> list[str]:
        decisions = pipeline.triage(payload, system, delivery_key=key)
        runtime.store.remember_signals(name, [d.signal_id for d in decisions])
        for decision in decisions:
            runtime.writeback.on_decision(decision)
        return [d.signal_id for d in decisions]

    try:
        reports = runtime.poll_all(deliver, only=instance)
        if instance is not None and not reports:
            raise fail(f"--instance: no instance named {instance!r}")
        sent = runtime.drain_all()
    finally:
        runtime.clients.close()
    for name, report in reports.items():
        typer.echo(f"{name}: {report.delivered} tickets triaged, {report.skipped} already seen, "
                   f"{report.echoes} echoes of our own writes"
                   + (f", {len(report.errors)} unreadable" if report.errors else ""))
    typer.echo(f"write-back: {sent['sent']} steps sent, {sent['failed']} to retry, "
               f"{sent['parked']} parked")


@app.command("outbox")
def outbox(status: Annotated[str | None, typer.Option(
               "--status", help="pending | done | parked")] = None,
           retry: Annotated[bool, typer.Option("--retry", help="Re-queue parked steps.")] = False,
           home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """List write-back steps (with the last error), or re-queue the parked ones."""
    import time

    _, runtime = _runtime(home, config, use_kb=False)
    if retry:
        typer.echo(f"re-queued {runtime.store.requeue(time.time())} parked steps")
        return
    counts = runtime.store.counts()
    typer.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "outbox empty")
    for row in runtime.store.rows(status=status or "parked"):
        typer.echo(f"#{row.id} {row.instance} {row.ticket_id} {row.step} {row.status} "
                   f"attempts={row.attempts} {row.last_error or ''}".rstrip())


@app.command("drain")
def drain(home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Send every due write-back step now."""
    _, runtime = _runtime(home, config, use_kb=False)
    try:
        sent = runtime.drain_all()
    finally:
        runtime.clients.close()
    typer.echo(f"write-back: {sent['sent']} steps sent, {sent['failed']} to retry, "
               f"{sent['parked']} parked")
