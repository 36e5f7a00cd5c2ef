"""Serve the Bolt app at `POST /slack/events` on a FastAPI/Starlette app (HTTP mode)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

SLACK_EVENTS_PATH = "/slack/events"


def mount_slack(api: Any, bolt_app: App, path: str = SLACK_EVENTS_PATH) -> None:
    """Add the Slack Events API / interactivity / slash-command endpoint to a FastAPI app.

    Bolt verifies the signature and dispatches; dispatch runs in the thread pool so a slow
    listener (or Slack's 3-second ack window) never blocks the event loop.
    """
    async def slack_events(request: Request) -> Response:
        """Slack's signed requests, verified and dispatched by Bolt."""
        body = await request.body()
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:  # Slack always sends UTF-8: a client error, not a 500
            return Response('{"error": "body: not UTF-8"}', status_code=400,
                            media_type="application/json")
        response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    api.add_api_route(path, slack_events, methods=["POST"], include_in_schema=False)
