"""The `triage` entry point: global options, then one sub-app or command per concern."""

from __future__ import annotations

import logging

import typer

from agent.cli import eval as eval_cli
from agent.cli import incidents, kb, noise, report, run, serve, tickets, tools
from agent.cli import mcp as mcp_cli
from agent.cli import slack as slack_cli
from agent.cli import train as train_cli
from agent.cli.options import (
    GLOBALS,
    ConfigOpt,
    HomeOpt,
    ReasonerOpt,
    resolve_config,
    resolve_settings,
)
from agent.kernel.errors import ModelFileError

app = typer.Typer(
    help="Triage: event vs alert vs incident, priority, noise reduction and routing for IT ops.",
    no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
)
config_app = typer.Typer(help="Check the YAML configuration.", no_args_is_help=True)
app.command("run")(run.run)
app.command("demo")(run.demo)
app.command("serve")(serve.serve)
app.command("slack")(slack_cli.slack)
app.command("mcp")(mcp_cli.mcp)
app.command("learn")(kb.learn_command)
app.command("train")(train_cli.train)
app.command("report")(report.report)
app.add_typer(config_app, name="config")
app.add_typer(kb.app, name="kb")
app.add_typer(eval_cli.app, name="eval")
app.add_typer(tools.app, name="tools")
app.add_typer(tools.approvals_app, name="approvals")
app.add_typer(tools.audit_app, name="audit")
app.add_typer(noise.maintenance_app, name="maintenance")
app.add_typer(noise.silence_app, name="silence")
app.add_typer(incidents.app, name="incidents")
app.add_typer(tickets.app, name="tickets")


def _print_version(value: bool) -> None:
    if value:
        from agent.kernel.version import version

        typer.echo(f"triage {version()}")
        raise typer.Exit()


@app.callback()
def _globals(home: HomeOpt = None, config: ConfigOpt = None, reasoner: ReasonerOpt = None,
             verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO."),
             _version: bool = typer.Option(False, "--version", callback=_print_version,
                                           is_eager=True, help="Print the version and exit.")
             ) -> None:
    """Global options, accepted before any command."""
    GLOBALS.home, GLOBALS.config, GLOBALS.reasoner = home, config, reasoner
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _tracing()


def _tracing() -> None:
    """OpenTelemetry tracing when the standard OTEL_* variables ask for it."""
    from agent.telemetry import configure_from_env

    try:
        configure_from_env()
    except (RuntimeError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@config_app.command("check")
def config_check(config_path: ConfigOpt = None, home: HomeOpt = None) -> None:
    """Validate the YAML configuration and summarise what it declares."""
    settings = resolve_settings(home=home, config=config_path)
    if settings.config is None:
        raise typer.BadParameter("no configuration given (use --config or TRIAGE_CONFIG)")
    cfg = resolve_config(settings)
    typer.echo(f"ok: {settings.config}: {len(cfg.services)} services, {len(cfg.routes)} routes, "
               f"{len(cfg.teams)} teams, {len(cfg.maintenance)} maintenance windows, "
               f"{len(cfg.inhibit_rules)} inhibit rules, {len(cfg.thresholds)} thresholds")


@config_app.command("docs")
def config_docs() -> None:
    """Print the configuration reference (docs/configuration.md) generated from the models."""
    from importlib import resources

    import yaml

    from agent.config.reference import render_reference

    example = yaml.safe_load(resources.files("agent.demo").joinpath("config.yaml").read_text())
    typer.echo(render_reference(example), nl=False)


def main() -> None:
    """Console-script entry point; a broken install is one line on stderr, exit code 1."""
    from agent.cli.exit import finish

    try:
        app()
        code: object = 0
    except ModelFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        code = 1
    except SystemExit as exc:
        code = exc.code
    finish(code)


if __name__ == "__main__":
    main()
