"""Incident response: lifecycle records, escalation, verified remediation, postmortems, KPIs."""
