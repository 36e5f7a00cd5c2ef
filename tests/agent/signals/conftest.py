"""Fixtures for the signal parser tests: a fixed clock, deterministic ids, payload fixtures."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.kernel.signal import Signal
from agent.signals.parse import parse_payload

FIXTURES = Path(__file__).parent / "fixtures"
RECEIVED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def counter_ids() -> Callable[[], str]:
    """A deterministic id generator (sig-0, sig-1, ...)."""
    counter = itertools.count()
    return lambda: f"sig-{next(counter)}"


@pytest.fixture
def received() -> datetime:
    """The fixed receive time every parse in these tests uses."""
    return RECEIVED


@pytest.fixture
def fixture_payload() -> Callable[[str], Any]:
    """Load one JSON payload from tests/agent/signals/fixtures."""
    return lambda name: json.loads((FIXTURES / name).read_text())


@pytest.fixture
def parse() -> Callable[..., list[Signal]]:
    """parse_payload with the fixed clock and a fresh id counter per call."""

    def run(payload: Any, fmt: str = "auto", received_at: datetime = RECEIVED) -> list[Signal]:
        return parse_payload(payload, fmt, received_at=received_at, new_id=counter_ids())

    return run
