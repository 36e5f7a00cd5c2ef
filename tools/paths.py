"""Confining file arguments to configured folders (no traversal, no symlink escape)."""

from __future__ import annotations

from pathlib import Path


class PathNotAllowed(ValueError):
    """The path resolves outside every allowed folder."""


def confine(path: str, roots: list[str], *, must_exist: bool = True) -> Path:
    """Resolve `path` (relative ones against the first root) and require it inside a root."""
    if not roots:
        raise PathNotAllowed("no folders are configured for this tool")
    resolved_roots = [Path(r).resolve() for r in roots]
    raw = Path(path)
    candidate = raw if raw.is_absolute() else resolved_roots[0] / raw
    resolved = candidate.resolve()
    for root in resolved_roots:
        if resolved == root or root in resolved.parents:
            if must_exist and not resolved.exists():
                raise PathNotAllowed(f"{path}: does not exist")
            return resolved
    raise PathNotAllowed(f"{path}: outside the allowed folders")
