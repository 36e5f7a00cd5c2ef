"""SQLite persistence: signals, decisions, deliveries and groups under --home."""

from agent.kernel.db import open_db
from agent.store.signals import SignalStore

__all__ = ["SignalStore", "open_db"]
