"""Remediation in core: which runbook actions to propose for a decision (tools run them)."""
