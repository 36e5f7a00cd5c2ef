"""The Slack app (Bolt): triage from messages and `/triage`, notifications, approvals, reviews."""
