"""Embedding a worker's next queries in the background, each text alone, into the query cache.

A decision spends ~4 of its ~10 ms on its one query embedding. While the worker runs the graph
for one signal, this embeds the next one's retrieval query on the other core (onnxruntime
releases the GIL), so that signal's search finds its vector cached. Each text is embedded on
its own, exactly as the search would have. The shipped model stores int8 weights only (they are
dequantised at load and the matmuls run in fp32, no activation quantisation), and on the
development box 64 texts embedded as one padded batch came out bit-equal to one-at-a-time
(measured 2026-12-07); whether that holds for every CPU kernel onnxruntime picks is not shown,
so batching the look-ahead (cheaper per text) waits for a test that pins it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

log = logging.getLogger(__name__)
MAX_WAITING = 4  # texts queued at most; beyond that the worker is ahead of us, drop the rest


class EmbedAhead:
    """One background thread that calls `embed(text)` (a cached embedding) for texts to come."""

    def __init__(self, embed: Callable[[str], np.ndarray]) -> None:
        self._embed = embed
        self._pool: ThreadPoolExecutor | None = None
        self._waiting = 0
        self._lock = threading.Lock()

    def submit(self, texts: Sequence[str]) -> int:
        """Queue texts for embedding in the background; returns how many were queued."""
        queued = 0
        for text in texts:
            with self._lock:
                if self._waiting >= MAX_WAITING:
                    break
                self._waiting += 1
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="kb-embed-ahead")
                pool = self._pool
            pool.submit(self._run, text)
            queued += 1
        return queued

    def _run(self, text: str) -> None:
        try:
            self._embed(text)
        except Exception:  # only a cache warm-up: the search embeds again and reports
            log.exception("embedding ahead failed")
        finally:
            with self._lock:
                self._waiting -= 1

    def close(self) -> None:
        """Stop the thread after what is queued."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
