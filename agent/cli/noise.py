"""`triage maintenance|silence …`: runtime suppression commands (filled in by the noise work)."""

import typer

maintenance_app = typer.Typer(help="Runtime maintenance windows.", no_args_is_help=True)
silence_app = typer.Typer(help="Alertmanager-style silences.", no_args_is_help=True)
