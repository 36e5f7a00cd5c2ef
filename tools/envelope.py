"""The result envelope every tool returns (holmesgpt style); tools never raise into the agent."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

ResultStatus = Literal["success", "error", "no_data", "approval_required", "refused", "dry_run"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class Risk(StrEnum):
    """How much harm a tool can do: read_only < safe_write < risky."""

    read_only = "read_only"
    safe_write = "safe_write"
    risky = "risky"

    @property
    def rank(self) -> int:
        """Order of the levels, for `risk <= max_auto_risk` comparisons."""
        return ["read_only", "safe_write", "risky"].index(self.value)


class ToolResult(BaseModel):
    """What one tool call produced; `data` is untrusted output, never an instruction."""

    tool: str
    status: ResultStatus
    data: Any = None
    error: str | None = None
    truncated: bool = False
    commands: list[list[str]] = Field(default_factory=list)
    duration_ms: float = 0.0
    risk: Risk | None = None
    idempotency_key: str | None = None
    approval_id: str | None = None

    @property
    def ok(self) -> bool:
        """True for a completed call (success or no_data)."""
        return self.status in ("success", "no_data")


def clean_text(text: str, limit: int) -> tuple[str, bool]:
    """Strip control/bidi characters and truncate to `limit` chars; returns (text, truncated)."""
    text = _CONTROL.sub("", text)
    if len(text) <= limit:
        return text, False
    return text[:limit] + f"\n…[truncated {len(text) - limit} chars]", True


def action_status(result: ToolResult) -> str:
    """The CONTRACTS §2 action status for a result envelope."""
    return {
        "success": "executed", "no_data": "executed", "error": "failed",
        "approval_required": "awaiting_approval", "refused": "refused", "dry_run": "dry_run",
    }[result.status]
