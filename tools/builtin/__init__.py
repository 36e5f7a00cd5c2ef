"""The built-in tools and the default registry holding all of them."""

from tools.builtin.diagnostics import DIAGNOSTICS
from tools.builtin.remediation import REMEDIATIONS
from tools.registry import Registry


def default_registry() -> Registry:
    """A registry with every built-in diagnostic and remediation."""
    return Registry([*DIAGNOSTICS, *REMEDIATIONS])


__all__ = ["default_registry"]
