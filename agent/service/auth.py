"""Bearer-token check for the /v1 API and webhooks (when `TRIAGE_WEBHOOK_TOKEN` is set)."""

from __future__ import annotations

import hmac

from agent.config.settings import Settings


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_ok(settings: Settings, authorization: str | None) -> bool:
    """True when no token is configured, or the header carries it (constant-time compare)."""
    expected = settings.webhook_token
    if expected is None:
        return True
    given = bearer_token(authorization)
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.get_secret_value().encode("utf-8"))
