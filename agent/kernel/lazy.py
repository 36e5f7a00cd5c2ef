"""A value built on first use: keeps costly imports and stores off a service's start-up path.

A restarted service recovers its stranded signals as soon as its worker starts (issue #12);
what only an operator's later request needs (the chat responder's LLM client, the learning
review store over Chroma) is built when that request comes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Lazy:
    """Stands for `factory()`: built once, on the first attribute access (thread-safe)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._built: Any | None = None
        self._ready = False
        self._lock = threading.Lock()

    def _value(self) -> Any:
        """The built value (built now when it was not yet); private, so that no attribute of
        the value is shadowed."""
        with self._lock:
            if not self._ready:
                self._built, self._ready = self._factory(), True
            return self._built

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._value(), name)
