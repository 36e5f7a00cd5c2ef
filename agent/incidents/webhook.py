"""Webhook escalation targets: a JSON POST carrying the step key as `Idempotency-Key`.

A generic webhook cannot be asked whether an earlier attempt arrived, so a row left `sending`
by a crash is sent again under the same key; receivers deduplicate on it (PagerDuty's
`dedup_key`, Opsgenie's alias and most chat bridges do).
"""

from __future__ import annotations

import httpx

from agent.incidents.outbox import OutboxItem


class WebhookNotifier:
    """POSTs `{"key", "incident_id", "text", ...}` to `webhook:` targets."""

    def __init__(self, client: httpx.Client | None = None, timeout_s: float = 5.0) -> None:
        self.client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)

    def handles(self, target_type: str) -> bool:
        """Webhook targets only."""
        return target_type == "webhook"

    def send(self, item: OutboxItem) -> None:
        """POST once; raise on a non-2xx answer."""
        body = {"key": item.key, "incident_id": item.incident_id, "kind": item.kind,
                **item.payload}
        response = self.client.post(item.address, json=body,
                                    headers={"Idempotency-Key": item.key})
        response.raise_for_status()

    def delivered(self, item: OutboxItem) -> bool:
        """Unknowable for a generic webhook: resend under the same idempotency key."""
        return False
