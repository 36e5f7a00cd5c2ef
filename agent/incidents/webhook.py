"""Webhook escalation targets: a JSON POST carrying the step key as `Idempotency-Key`.

Delivery is at-least-once. A generic webhook cannot be asked whether an earlier attempt
arrived, so a row whose sender died between the POST and the outbox commit is sent again, after
its lease, under the same key (and a higher `Triage-Delivery-Attempt`). The receiver contract
(docs/escalation-webhooks.md) is the IETF `Idempotency-Key` one: a repeated key is answered 2xx
and acted on once, as PagerDuty's `dedup_key`, Opsgenie's alias and most chat bridges do.
"""

from __future__ import annotations

import httpx

from agent.incidents.outbox import OutboxItem

ATTEMPT_HEADER = "Triage-Delivery-Attempt"


class WebhookNotifier:
    """POSTs `{"key", "incident_id", "kind", "text", ...}` to `webhook:` targets."""

    def __init__(self, client: httpx.Client | None = None, timeout_s: float = 5.0) -> None:
        self.client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)

    def handles(self, target_type: str) -> bool:
        """Webhook targets only."""
        return target_type == "webhook"

    def send(self, item: OutboxItem) -> None:
        """POST once; raise on a non-2xx answer."""
        body = {"key": item.key, "incident_id": item.incident_id, "kind": item.kind,
                **item.payload}
        response = self.client.post(item.address, json=body, headers={
            "Idempotency-Key": item.key, ATTEMPT_HEADER: str(max(item.attempts, 1))})
        response.raise_for_status()

    def delivered(self, item: OutboxItem) -> bool:
        """Unknowable for a generic webhook: resend under the same idempotency key."""
        return False
