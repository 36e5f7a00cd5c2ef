"""The installed Triage version, read from the package metadata."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata


@lru_cache(maxsize=1)
def version() -> str:
    """The `triage` distribution's version, or "0+unknown" when run from an uninstalled tree."""
    try:
        return metadata.version("triage")
    except metadata.PackageNotFoundError:
        return "0+unknown"
