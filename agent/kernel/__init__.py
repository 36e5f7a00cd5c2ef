"""The kernel: shared types and helpers that every layer may import; it imports nothing else
from the project (taxonomy, decision, signal model, parse error, durations, matchers, SQLite
opener, redaction)."""
