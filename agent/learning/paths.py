"""Where the shipped heads live (importable without numpy, e.g. for CLI option defaults)."""

from __future__ import annotations

from pathlib import Path

WEIGHTS = Path(__file__).parent / "weights" / "heads.npz"
