"""Labeled past cases (CONTRACTS §5 lines) as history: case text, labels, label agreement."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.ranking import norm_name

# label keys that say *what* fired or *where* (not which instance): compared between cases
AGREEMENT_KEYS = ("alertname", "service", "job", "namespace", "container", "app", "component",
                  "source", "__name__", "program", "category", "team")


@dataclass
class CaseRecord:
    """A case ready to store: id, text to embed, expected labels and the signal's labels."""

    case_id: str
    text: str
    labels: dict[str, Any]
    signal_labels: dict[str, str]


def load_cases(source: str | Path | Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Read JSON Lines case objects from a file path, or pass an iterable through."""
    if isinstance(source, str | Path):
        cases = []
        with open(source, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        cases.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{source}:{number}: invalid JSON ({exc.msg})") from None
        return cases
    return list(source)


def case_text(title: str, text: str) -> str:
    """The text a case is embedded and matched by, built like the graph's retrieval query."""
    return f"{title}\n{text}".strip() if text and text != title else title.strip()


def case_records(source: str | Path | Iterable[dict[str, Any]]) -> list[CaseRecord]:
    """Parse each case's input payload into its signal(s) and keep the expected labels."""
    from agent.signals.parse import parse_payload

    records: list[CaseRecord] = []
    for position, case in enumerate(load_cases(source)):
        if not isinstance(case, dict) or not isinstance(case.get("input"), dict):
            raise ValueError(f"case {position + 1}: needs an 'input' object")
        case_id = str(case.get("id") or f"case-{position + 1}")
        expected = case.get("expected") or {}
        inp = case["input"]
        signals = parse_payload(inp.get("payload"), fmt=inp.get("format") or "auto")
        for index, signal in enumerate(signals):
            sid = case_id if len(signals) == 1 else f"{case_id}#{index}"
            records.append(CaseRecord(
                case_id=sid, text=case_text(signal.title, signal.text),
                labels=dict(expected), signal_labels=signal.label_view()))
    return records


def label_agreement(query: dict[str, str], case: dict[str, str]) -> float:
    """Share of the query's name-like labels (alertname, service, job…) the case has equal."""
    keys = [k for k in AGREEMENT_KEYS if query.get(k)]
    if not keys:
        return 0.0
    same = sum(1 for k in keys if case.get(k) and norm_name(case[k]) == norm_name(query[k]))
    return same / len(keys)
