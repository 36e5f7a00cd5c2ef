"""`triage eval …`: offline evaluation (filled in by the eval-harness work)."""

import typer

app = typer.Typer(help="Evaluate triage decisions on a labeled dataset.")
