"""Rate limits and circuit breakers per tool and target, derived from the audit ledger."""

from __future__ import annotations

from datetime import datetime

from tools.ledger import Ledger
from tools.policy import Policy


def limit_problem(ledger: Ledger, policy: Policy, tool: str, target: str,
                  now: datetime) -> str | None:
    """Why this execution must be refused now (rate limit or open breaker); None if it may run."""
    breaker = policy.circuit_breaker
    last = ledger.recent_statuses(tool, target, "result", now - breaker.cooldown,
                                  breaker.failures)
    if len(last) >= breaker.failures and all(s == "error" for s in last):
        return (f"circuit open: {breaker.failures} consecutive failures of {tool} on {target};"
                f" cooling down for {breaker.cooldown}")
    limit = policy.rate_limit(tool)
    if limit is not None:
        started = ledger.count_recent(tool, target, "started", now - limit.per)
        if started >= limit.max:
            return (f"rate limit: {started} runs of {tool} on {target} in the last "
                    f"{limit.per} (max {limit.max})")
    return None
