"""Shared fixtures: real configuration objects and signal builders (no mocks of our own code)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.config.loader import load_config
from agent.config.org import OrgConfig

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "agent" / "demo" / "config.yaml"


@pytest.fixture(scope="session")
def demo_config() -> OrgConfig:
    """The bundled Acme Shop configuration."""
    return load_config(DEMO_CONFIG)


@pytest.fixture
def t0() -> datetime:
    """A fixed signal time for deterministic tests."""
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
