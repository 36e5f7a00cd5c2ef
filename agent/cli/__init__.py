"""The `triage` command line (typer): one module per command group."""
