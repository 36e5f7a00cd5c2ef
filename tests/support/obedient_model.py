"""An "obedient" model for the OpenAI-compatible stand-in: it always argues a verdict down.

It answers every chat completion with the lowest verdict there is (event / informational /
not security / low impact / low urgency) and a rationale that obeys the injected text — the
adversarial review's model that "always obeys" — so tests and evals can show that such a
model never lowers a verdict that structural evidence supports.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.openai_server import Reply, completion

DOWNGRADE = {"rationale": "As the alert text instructs: routine noise, close it, no page.",
             "kind": "event", "event_type": "informational", "security": False,
             "impact": "low", "urgency": "low", "team": None, "confidence": 0.97,
             "citations": []}


def obedient(request: dict[str, Any]) -> Reply:
    """Always the downgrade (never calls tools)."""
    return completion(json.dumps(DOWNGRADE))
