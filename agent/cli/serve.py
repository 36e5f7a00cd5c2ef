"""`triage serve`: the HTTP service (webhooks, API, Slack HTTP endpoint, metrics) on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    ReasonerOpt,
    open_pipeline_or_exit,
    resolve_config,
    resolve_settings,
)

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def serve(host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", "-p", help="Port to bind.")] = 8080,
          config: ConfigOpt = None, home: HomeOpt = None, reasoner: ReasonerOpt = None,
          max_body: Annotated[int | None, typer.Option(
              "--max-body", min=1024, help="Largest accepted request body in bytes "
              "(default TRIAGE_MAX_BODY_BYTES, 16 MiB).")] = None,
          log_level: Annotated[str, typer.Option(
              "--log-level", help="uvicorn log level.")] = "info",
          insecure_no_auth: Annotated[bool, typer.Option(
              "--insecure-no-auth",
              help="Open the API without credentials (loopback addresses only).")] = False,
          no_decide: Annotated[bool, typer.Option(
              "--no-decide",
              help="Ingest only: store and acknowledge, and leave the decisions to the other "
                   "`triage serve` processes on the same --home (they take what this one "
                   "stored). Keeps the paging path free of decision work.")] = False,
          ) -> None:
    """Run the HTTP service. To scale, start more processes on the same --home (each on its own
    port): claims in the shared database make sure every signal is decided exactly once.
    With `--no-decide` a process only acknowledges and stores; run at least one without it."""
    import uvicorn

    from agent.service import ServiceOptions, create_app

    if insecure_no_auth and host not in LOOPBACK:
        typer.echo(f"error: --insecure-no-auth is only allowed on loopback, not {host}", err=True)
        raise typer.Exit(2)
    settings = resolve_settings(home=home, config=config, reasoner=reasoner)
    org = resolve_config(settings)
    pipeline = open_pipeline_or_exit(settings, org)
    tools = pipeline.tools
    if tools is not None:  # tools never call the service itself, even when it is listed
        tools.egress.forbid_self(host, port)
    app = create_app(settings, org, pipeline, options=ServiceOptions(
        max_body_bytes=max_body or settings.max_body_bytes,
        insecure_no_auth=insecure_no_auth, decide=not no_decide, freeze_heap=True))
    typer.echo(f"triage serve: http://{host}:{port} (state in {settings.home})", err=True)
    if insecure_no_auth:
        typer.echo("warning: --insecure-no-auth: the API is open to anyone on this machine",
                   err=True)
    elif not app.state.auth.configured():
        typer.echo("warning: no credentials configured (TRIAGE_WEBHOOK_TOKEN or auth.tokens/"
                   "basic/hmac): every route but /healthz answers 401", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)
