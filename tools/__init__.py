"""Remediation tools: allowlisted registry, policy, approvals and the audit ledger."""
