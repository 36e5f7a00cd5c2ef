"""Who and what a tool call is for: the signal (idempotency and approval scope) and its owners."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionContext:
    """Who/what an action is for: the signal (scope), its group, service, env and team."""

    scope: str
    group_id: str | None = None
    service: str | None = None
    environment: str | None = None
    team: str | None = None
    actor: str = "triage"
    thread_id: str | None = None
