"""Running a tool's runner into a bounded, sanitized envelope; and replaying ledger results."""

from __future__ import annotations

import json
from typing import Any

from tools.envelope import ToolResult, clean_text
from tools.ledger import LedgerRow
from tools.registry import NoData, Plan, ToolContext, ToolFailure, ToolSpec

MAX_ITEMS = 200


def sanitize(value: Any, limit: int) -> tuple[Any, bool]:
    """Clean control characters and bound every string/list; returns (value, truncated)."""
    if isinstance(value, str):
        return clean_text(value, limit)
    if isinstance(value, dict):
        out, cut = {}, False
        for k, v in list(value.items())[:MAX_ITEMS]:
            out[str(k)[:100]], c = sanitize(v, limit)
            cut = cut or c
        return out, cut or len(value) > MAX_ITEMS
    if isinstance(value, list | tuple):
        items = [sanitize(v, limit) for v in value[:MAX_ITEMS]]
        return [v for v, _ in items], any(c for _, c in items) or len(value) > MAX_ITEMS
    return value, False


def invoke(spec: ToolSpec, args: Any, ctx: ToolContext, plan: Plan, limit: int) -> ToolResult:
    """Call the runner and wrap what happened; exceptions become error envelopes."""
    try:
        data = spec.runner(args, ctx, plan)
        status = "success"
        error = None
    except NoData as exc:
        data, status, error = None, "no_data", str(exc)
    except ToolFailure as exc:
        data, status, error = None, "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - tools never raise into the agent loop
        data, status, error = None, "error", f"{type(exc).__name__}: {exc}"
    data, truncated = sanitize(data, limit)
    if error:
        error, cut = clean_text(error, 1000)
        truncated = truncated or cut
    return ToolResult(tool=spec.name, status=status, data=data, error=error,
                      truncated=truncated, commands=plan.commands)


def result_from_ledger(spec: ToolSpec, row: LedgerRow) -> ToolResult:
    """The envelope recorded for a completed execution (no second run)."""
    detail = row.detail_json or {}
    fields = {k: detail[k] for k in ("status", "data", "error", "truncated", "commands",
                                     "duration_ms", "idempotency_key", "approval_id")
              if k in detail}
    fields.setdefault("status", row.status or "error")
    return ToolResult(tool=spec.name, risk=spec.risk, **fields)


def refused_args(args: Any) -> dict:
    """A bounded copy of (possibly hostile) raw arguments for the ledger."""
    try:
        text = json.dumps(args, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(args)
    text, _ = clean_text(text, 500)
    return {"_raw": text}
