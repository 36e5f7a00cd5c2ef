"""`triage tools|approvals|audit …`: remediation commands (filled in by the tools work)."""

import typer

app = typer.Typer(help="List and run allowlisted tools.", no_args_is_help=True)
approvals_app = typer.Typer(help="Pending approvals for risky actions.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only audit ledger.", no_args_is_help=True)
