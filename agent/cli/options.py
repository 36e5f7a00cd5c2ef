"""Global CLI options shared by every command (--home, --config, --reasoner)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from agent.config import ConfigError, OrgConfig, Settings, load_config

HomeOpt = Annotated[Path | None, typer.Option("--home", help="State folder (env TRIAGE_HOME).")]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML configuration (env TRIAGE_CONFIG).")
]
ReasonerOpt = Annotated[
    str | None,
    typer.Option("--reasoner", help="offline | llm | auto (env TRIAGE_REASONER)."),
]


@dataclass
class Globals:
    """Options given before the command; per-command options override them."""

    home: Path | None = None
    config: Path | None = None
    reasoner: str | None = None


GLOBALS = Globals()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise (exit code 2 by default)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def resolve_settings(home: Path | None = None, config: Path | None = None,
                     reasoner: str | None = None) -> Settings:
    """Settings from the environment, overridden by global then per-command flags."""
    try:
        base = Settings()
    except Exception as exc:  # pydantic ValidationError: name the variable, stop
        lines = str(exc).splitlines()
        raise fail(f"environment: {' '.join(lines[1:3]) if len(lines) > 2 else exc}") from None
    update: dict[str, object] = {}
    for key, value in (("home", home or GLOBALS.home), ("config", config or GLOBALS.config),
                       ("reasoner", reasoner or GLOBALS.reasoner)):
        if value is not None:
            update[key] = value
    if "reasoner" in update and update["reasoner"] not in {"offline", "llm", "auto"}:
        raise fail(f"--reasoner: must be offline, llm or auto, got {update['reasoner']!r}")
    return base.model_copy(update=update)


def resolve_config(settings: Settings) -> OrgConfig:
    """Load the YAML configuration named by the settings, exiting 2 with the error if invalid."""
    try:
        return load_config(settings.config)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def open_pipeline_or_exit(settings: Settings, config: OrgConfig, **kwargs: object):
    """Open the live pipeline; a missing LLM setting becomes a one-line error (exit 2)."""
    from agent.wiring import LLMConfigError, open_pipeline

    try:
        return open_pipeline(settings, config, **kwargs)  # type: ignore[arg-type]
    except LLMConfigError as exc:
        raise fail(str(exc)) from None
