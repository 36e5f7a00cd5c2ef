"""`triage slack`: the Slack app in Socket Mode (no public HTTP endpoint needed)."""

from __future__ import annotations

import typer

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    ReasonerOpt,
    fail,
    open_pipeline_or_exit,
    resolve_config,
    resolve_settings,
)


def slack(config: ConfigOpt = None, home: HomeOpt = None, reasoner: ReasonerOpt = None) -> None:
    """Run the Slack app in Socket Mode (SLACK_BOT_TOKEN and SLACK_APP_TOKEN)."""
    settings = resolve_settings(home=home, config=config, reasoner=reasoner)
    org = resolve_config(settings)
    if settings.slack_bot_token is None:
        raise fail("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
    if settings.slack_app_token is None:
        raise fail("SLACK_APP_TOKEN is not set (an app-level token with connections:write, "
                   "xapp-...; Socket Mode)")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from agent.slack.app import build_bolt_app

    pipeline = open_pipeline_or_exit(settings, org)
    app = build_bolt_app(settings, org, pipeline, socket_mode=True)
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    typer.echo("triage slack: Socket Mode, waiting for events (Ctrl-C to stop)", err=True)
    handler.start()
