"""`triage mcp`: the read-only MCP server (stdio for a local client, streamable HTTP with a
bearer token for remote ones)."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    fail,
    open_pipeline_or_exit,
    resolve_config,
    resolve_settings,
)

TRANSPORTS = ("stdio", "http")


def mcp(transport: Annotated[str, typer.Option(
            "--transport", "-t", help="stdio (a local client starts triage) or http "
            "(streamable HTTP at /mcp, needs TRIAGE_MCP_TOKEN).")] = "stdio",
        host: Annotated[str, typer.Option("--host", help="Address to bind (http).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", "-p", help="Port to bind (http).")] = 8765,
        config: ConfigOpt = None, home: HomeOpt = None) -> None:
    """Serve decisions, open incidents and the knowledge base to MCP clients (read-only tools:
    search_knowledge, get_decision, list_open_incidents, explain_decision)."""
    if transport not in TRANSPORTS:
        raise fail(f"--transport: must be stdio or http, got {transport!r}")
    settings = resolve_settings(home=home, config=config)
    token = settings.mcp_token.get_secret_value() if settings.mcp_token else None
    if transport == "http" and token is None:
        raise fail("mcp --transport http: set TRIAGE_MCP_TOKEN (a bearer token of at least 16 "
                   "characters); the HTTP server never runs without authentication")
    from agent.mcp.reader import TriageReader
    from agent.mcp.server import build_server, http_app

    org = resolve_config(settings)
    reader = TriageReader(open_pipeline_or_exit(settings, org, use_tools=False))
    if transport == "stdio":
        build_server(reader).run("stdio")
        return
    import uvicorn

    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    try:
        server = build_server(reader, token=token, base_url=base)
    except ValueError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"triage mcp: {base}/mcp (streamable HTTP, bearer token required; state in "
               f"{settings.home})", err=True)
    uvicorn.run(http_app(server, host=host, port=port), host=host, port=port, log_level="warning")
