"""Every public eval case (kube-prometheus, awesome-prometheus-alerts) parses as declared."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.signals.parse import parse_payload

DATA = Path("/work/shared/data")
FILES = [DATA / "kube-prometheus" / "cases.jsonl", DATA / "kube-prometheus" / "cases-noname.jsonl",
         DATA / "awesome-prometheus-alerts" / "cases.jsonl"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_public_case_parses(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not present")
    counter = itertools.count()
    received = datetime(2026, 11, 20, tzinfo=UTC)
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for case in cases:
        declared = case["input"].get("format", "auto")
        for fmt in {declared, "auto"}:
            signals = parse_payload(case["input"]["payload"], fmt, received_at=received,
                                    new_id=lambda: f"s{next(counter)}")
            assert signals, case["id"]
            assert all(s.source == declared for s in signals), case["id"]
            assert all(s.title and s.text and s.fingerprint for s in signals), case["id"]
    assert cases
