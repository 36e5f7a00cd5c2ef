"""Bolt listeners, one module per kind (starter-template layout)."""

from __future__ import annotations

from slack_bolt import App

from agent.slack.deps import SlackDeps
from agent.slack.listeners import actions, commands, events, incidents, messages, views


def register_listeners(app: App, deps: SlackDeps) -> None:
    """Register every listener module on the app."""
    messages.register_listeners(app, deps)
    events.register_listeners(app, deps)
    commands.register_listeners(app, deps)
    actions.register_listeners(app, deps)
    views.register_listeners(app, deps)
    incidents.register_listeners(app, deps)
