"""One labeled training example: a payload in a CONTRACTS §3 input format plus its label."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Example:
    """A labeled payload; `group` keeps related examples on one side of every split."""

    task: str  # severity | log | security | human
    label: str
    source: str  # owner/name:sub-collection
    group: str
    fmt: str  # CONTRACTS §3 format the payload is in
    payload: Any


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    """Write examples as JSON Lines; return how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[Example]:
    """Read examples written by write_jsonl."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Example(**json.loads(line))
