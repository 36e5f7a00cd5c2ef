"""`triage kb …`: knowledge-base commands (filled in by the knowledge-base work)."""

import typer

app = typer.Typer(help="Inspect and feed the knowledge base.", no_args_is_help=True)
