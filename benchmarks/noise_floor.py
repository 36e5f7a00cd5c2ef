"""The noise stage's floor: `json.loads` of each body plus a label-hash dedup in a dict.

This is the least any noise stage must do per signal (read the body, hash its identity, look it
up), with no grouping, suppression or storage. `noise_throughput.py` runs it interleaved with the
gate on the same bodies and quotes the ratio.

    .venv/bin/python benchmarks/noise_floor.py [--signals 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from typing import Any


def bodies(items: list[tuple[str, Any]]) -> list[bytes]:
    """The request bodies as a sender posts them."""
    return [json.dumps(body).encode() for _, body in items]


def _identity(value: dict) -> list[dict[str, Any]]:
    if isinstance(value.get("alerts"), list):
        return [a.get("labels") or {} for a in value["alerts"]]
    if "dedup_key" in value or "payload" in value:
        return [{"dedup_key": value.get("dedup_key"), **(value.get("payload") or {})}]
    return [value.get("labels") or {"title": value.get("title"), "body": value.get("body")}]


def floor(raw: list[bytes]) -> tuple[float, int, int]:
    """(cpu seconds, signals, duplicates): decode every body and dedup by a label hash."""
    seen: dict[str, int] = {}
    dupes = n = 0
    cpu = time.process_time()
    for body in raw:
        for labels in _identity(json.loads(body)):
            key = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()
            n += 1
            if key in seen:
                dupes += 1
            else:
                seen[key] = n
    return time.process_time() - cpu, n, dupes


def main() -> None:
    """Measure and print the floor alone."""
    from noise_throughput import payloads  # same directory

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    cpu, n, dupes = floor(bodies(payloads(args.signals, args.seed)))
    print(f"floor: {n} signals, {dupes} duplicates, {n / cpu:,.0f} signals/s (cpu)")


if __name__ == "__main__":
    main()
