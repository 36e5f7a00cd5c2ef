"""Load and validate the YAML configuration with errors that name the offending key."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from agent.config.org import OrgConfig


class ConfigError(ValueError):
    """The configuration file is unreadable or invalid; the message names the key."""


def _format(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def parse_config(data: object, origin: str = "config") -> OrgConfig:
    """Validate an already-loaded YAML document as OrgConfig."""
    if data is None:
        return OrgConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: top level must be a mapping, got {type(data).__name__}")
    try:
        return OrgConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_format(exc)}") from None


def load_config(path: str | Path | None) -> OrgConfig:
    """Read the YAML file at `path` (None gives the empty default configuration)."""
    if path is None:
        return OrgConfig()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from None
    return parse_config(data, str(file))
