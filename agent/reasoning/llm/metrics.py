"""Thread-safe counters for LLM use (requests, tokens, latency, fallbacks) that /metrics reads."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DecisionRecord:
    """What one judge() call cost and how it ended (handed to the optional on_decision hook)."""

    signal_id: str
    outcome: str  # "llm" | "fallback" | "skipped"
    reason: str = ""
    tokens: int = 0
    requests: int = 0
    latency_s: float = 0.0
    # every tool call the model asked for: {tool, args, status, executed}; refused write/risky
    # calls are never run here; planning may offer them through tools/ approval as proposals
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


class LLMMetrics:
    """Counters and sums for the LLM reasoner and chat; `snapshot()` for /metrics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.errors: Counter[str] = Counter()
        self.fallbacks: Counter[str] = Counter()
        self.decisions: Counter[str] = Counter()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.latency_s_sum = 0.0
        self.latency_count = 0
        self.tool_calls: Counter[str] = Counter()  # by envelope status
        self.breaker_opened = 0
        self.response_format_fallbacks = 0
        self.downgrades_blocked = 0  # verdict floor: the model tried to lower a verdict

    def request(self, prompt_tokens: int, completion_tokens: int, latency_s: float) -> None:
        """Record one successful HTTP request."""
        with self._lock:
            self.requests += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.latency_s_sum += latency_s
            self.latency_count += 1

    def count(self, name: str, key: str | None = None, n: int = 1) -> None:
        """Increment a scalar counter (retries, breaker_opened, …) or a keyed one (errors, …)."""
        with self._lock:
            current = getattr(self, name)
            if isinstance(current, Counter):
                current[key or "other"] += n
            else:
                setattr(self, name, current + n)

    def decision(self, record: DecisionRecord) -> None:
        """Record how one signal's judgement ended."""
        with self._lock:
            self.decisions[record.outcome] += 1
            if record.outcome == "fallback":
                self.fallbacks[record.reason.split(":")[0] or "other"] += 1

    def snapshot(self) -> dict[str, Any]:
        """A plain-dict copy of every counter."""
        with self._lock:
            return {
                "requests_total": self.requests, "retries_total": self.retries,
                "errors_total": dict(self.errors), "fallbacks_total": dict(self.fallbacks),
                "decisions_total": dict(self.decisions),
                "prompt_tokens_total": self.prompt_tokens,
                "completion_tokens_total": self.completion_tokens,
                "tokens_total": self.prompt_tokens + self.completion_tokens,
                "latency_seconds_sum": round(self.latency_s_sum, 6),
                "latency_seconds_count": self.latency_count,
                "tool_calls_total": dict(self.tool_calls),
                "breaker_opened_total": self.breaker_opened,
                "response_format_fallbacks_total": self.response_format_fallbacks,
                "downgrades_blocked_total": self.downgrades_blocked,
            }

    def prometheus(self, prefix: str = "triage_llm") -> str:
        """The counters in Prometheus text exposition format."""
        snap = self.snapshot()
        lines: list[str] = []
        for key, value in snap.items():
            name = f"{prefix}_{key}"
            if isinstance(value, dict):
                lines.append(f"# TYPE {name} counter")
                label = "status" if key == "tool_calls_total" else "reason"
                if key == "decisions_total":
                    label = "outcome"
                for k, v in sorted(value.items()):
                    safe = str(k).replace("\\", "\\\\").replace('"', '\\"')
                    lines.append(f'{name}{{{label}="{safe}"}} {v}')
            else:
                lines.append(f"# TYPE {name} counter")
                lines.append(f"{name} {value}")
        return "\n".join(lines) + "\n"
