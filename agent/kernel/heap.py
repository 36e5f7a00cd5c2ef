"""Keeping Python's cyclic garbage collector off what a long-running process loaded at startup.

A served process holds hundreds of thousands of long-lived objects once it has loaded its
modules, the embedding model's session, Chroma and the compiled graph. Every full collection
walks all of them again although none ever becomes garbage. `freeze_heap` collects once, then
moves the survivors to the collector's permanent generation (`gc.freeze`), which later
collections skip. Objects created afterwards are collected as usual; a frozen object is still
freed by reference counting, only a frozen reference cycle would outlive its last use (startup
objects live for the whole process). Measured on the served decision worker: see
`benchmarks/decision_throughput.py` (`kb` against `kb-gc`).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_heap() -> int:
    """Collect, then exempt every surviving object from later collections; returns how many."""
    collected = gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("startup heap frozen", extra={"frozen_objects": frozen, "collected": collected})
    return frozen


def thaw_heap() -> None:
    """Undo `freeze_heap` (frozen objects rejoin the oldest generation)."""
    gc.unfreeze()
