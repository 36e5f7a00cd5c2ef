"""The HTTP service (`triage serve`): webhooks, API, Slack HTTP endpoint, health and metrics."""

from agent.service.app import create_app
from agent.service.state import Service, ServiceOptions

__all__ = ["Service", "ServiceOptions", "create_app"]
