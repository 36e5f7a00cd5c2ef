"""Authenticating ticket-system webhooks the way each system signs or authenticates.

- Jira Cloud: a webhook registered with a secret sends `X-Hub-Signature: sha256=<hex>`, the
  HMAC-SHA256 of the raw body under the secret. An automation rule ("Send web request") can
  instead send `Authorization: Bearer <token>` (instance `webhook.token_env`).
- ServiceNow: the outbound REST message authenticates with basic auth (`webhook.username_env`
  + `password_env`) or an OAuth bearer token (`webhook.token_env`).
- Zendesk: `X-Zendesk-Webhook-Signature` is base64(HMAC-SHA256(secret, timestamp + body)) with
  the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`; stale timestamps are refused.
The service-wide bearer token (TRIAGE_WEBHOOK_TOKEN) is accepted on every route too. Closed by
default: with nothing configured the request is refused. Secrets are read from the injected
environment mapping by the variable NAME the config gives; comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from agent.config.tickets import TicketInstance
from agent.service.auth import bearer_token


class WebhookAuthError(Exception):
    """The webhook did not authenticate: `field` names the header at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def _secret(env: Mapping[str, str], name: str | None) -> bytes | None:
    value = env.get(name) if name else None
    return value.encode("utf-8") if value else None


def _equal(given: str | bytes, expected: str | bytes) -> bool:
    a = given.encode("utf-8") if isinstance(given, str) else given
    b = expected.encode("utf-8") if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def jira_signature(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature` value Jira sends for `body` under `secret`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def zendesk_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The `X-Zendesk-Webhook-Signature` value for `body` sent at `timestamp`."""
    digest = hmac.new(secret, timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, blob = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(blob.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _bearer_ok(env: Mapping[str, str], inst: TicketInstance | None,
               service_token: str | None, authorization: str | None) -> bool | None:
    """True/False when a bearer token applies; None when no bearer is configured."""
    tokens = [t for t in (service_token,
                          env.get(inst.webhook.token_env) if inst and inst.webhook.token_env
                          else None) if t]
    if not tokens:
        return None
    given = bearer_token(authorization)
    return given is not None and any(_equal(given, t) for t in tokens)


def _check_jira(env: Mapping[str, str], inst: TicketInstance, headers: Mapping[str, str],
                body: bytes) -> bool | None:
    secret = _secret(env, inst.webhook.secret_env)
    if secret is None:
        return None
    given = headers.get("x-hub-signature")
    if not given:
        raise WebhookAuthError("missing X-Hub-Signature (the webhook secret is configured)",
                               "X-Hub-Signature")
    if not _equal(given.strip(), jira_signature(secret, body)):
        raise WebhookAuthError("X-Hub-Signature does not match the body", "X-Hub-Signature")
    return True


def _check_servicenow(env: Mapping[str, str], inst: TicketInstance,
                      headers: Mapping[str, str]) -> bool | None:
    user, password = _secret(env, inst.webhook.username_env), _secret(env,
                                                                     inst.webhook.password_env)
    if user is None or password is None:
        return None
    given = _basic(headers.get("authorization"))
    if given is None:
        return False
    return _equal(given[0], user) & _equal(given[1], password)


def _check_zendesk(env: Mapping[str, str], inst: TicketInstance, headers: Mapping[str, str],
                   body: bytes, now: datetime) -> bool | None:
    secret = _secret(env, inst.webhook.secret_env)
    if secret is None:
        return None
    signature = headers.get("x-zendesk-webhook-signature")
    stamp = headers.get("x-zendesk-webhook-signature-timestamp")
    if not signature or not stamp:
        field = "X-Zendesk-Webhook-Signature" if not signature else \
            "X-Zendesk-Webhook-Signature-Timestamp"
        raise WebhookAuthError(f"missing {field} (the signing secret is configured)", field)
    if not _equal(signature.strip(), zendesk_signature(secret, stamp, body)):
        raise WebhookAuthError("X-Zendesk-Webhook-Signature does not match the body",
                               "X-Zendesk-Webhook-Signature")
    try:
        sent = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        raise WebhookAuthError("not an RFC 3339 timestamp",
                               "X-Zendesk-Webhook-Signature-Timestamp") from None
    if sent.tzinfo is None or abs((now - sent).total_seconds()) > inst.webhook.tolerance_s:
        raise WebhookAuthError("signature timestamp outside the allowed window (replay?)",
                               "X-Zendesk-Webhook-Signature-Timestamp")
    return True


def authenticate(system: str, inst: TicketInstance | None, headers: Mapping[str, str],
                 body: bytes, *, env: Mapping[str, str], service_token: str | None,
                 now: datetime) -> None:
    """Raise WebhookAuthError unless the request authenticates for `system` (closed default)."""
    vendor: bool | None = None
    if inst is not None:
        if system == "jira":
            vendor = _check_jira(env, inst, headers, body)
        elif system == "zendesk":
            vendor = _check_zendesk(env, inst, headers, body, now)
        elif system == "servicenow":
            vendor = _check_servicenow(env, inst, headers)
    if vendor:
        return
    bearer = _bearer_ok(env, inst, service_token, headers.get("authorization"))
    if bearer:
        return
    if vendor is None and bearer is None:
        raise WebhookAuthError(f"no webhook credentials configured for {system}: set "
                               f"tickets.instances.<name>.webhook (closed by default)",
                               "Authorization")
    raise WebhookAuthError("missing or wrong credentials", "Authorization")
