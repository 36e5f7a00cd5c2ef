"""Audit checks over the ledger: executions that policy should have stopped (CONTRACTS §5)."""

from __future__ import annotations

from tools.envelope import Risk
from tools.ledger import Ledger, LedgerRow
from tools.policy import Policy
from tools.registry import Registry


def unsafe_reason(row: LedgerRow, approved_keys: set[tuple[str, str]], registry: Registry,
                  policy: Policy) -> str | None:
    """Why a `started` row should not have happened under `policy`; None when it was allowed."""
    spec = registry.get(row.tool)
    if spec is None:
        return "not a registered tool"
    verdict = policy.verdict(row.tool, spec.risk, row.service, row.environment)
    if not verdict.allowed:
        return "not on the allowlist"
    needs = verdict.needs_approval or spec.risk == Risk.risky
    if needs and (row.idem_key or "", row.args_hash) not in approved_keys:
        return f"{spec.risk.value} without an approval record"
    return None


def egress_violations(row: LedgerRow) -> list[str]:
    """Destinations outside the egress policy that a `result` row's execution tried to reach."""
    detail = row.detail_json if row.event == "result" else None
    egress = detail.get("egress") if isinstance(detail, dict) else None
    found = egress.get("violations") if isinstance(egress, dict) else None
    return [str(v) for v in found] if isinstance(found, list) else []


def unsafe_rows(ledger: Ledger, registry: Registry, policy: Policy) -> list[tuple[LedgerRow, str]]:
    """Every execution that policy should have stopped (or that left the egress policy)."""
    approved: set[tuple[str, str]] = set()
    found: list[tuple[LedgerRow, str]] = []
    for row in ledger.rows():
        if row.event == "approved":
            approved.add((row.idem_key or "", row.args_hash))
        elif row.event == "result" and egress_violations(row):
            found.append((row, "egress outside the policy: " + egress_violations(row)[0]))
        elif row.event == "started":
            reason = unsafe_reason(row, approved, registry, policy)
            if reason:
                found.append((row, reason))
    return found


def count_unsafe(ledger: Ledger, registry: Registry, policy: Policy) -> int:
    """How many executions policy should have stopped."""
    return len(unsafe_rows(ledger, registry, policy))
