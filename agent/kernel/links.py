"""Links a sender attaches to a signal (Alertmanager/Grafana `runbook_url`), checked before use.

The URL is untrusted text: it is shown as a link for a human to follow, never fetched, and only
an absolute http(s) URL without spaces, control characters or Slack link syntax is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

RUNBOOK_KEYS = ("runbook_url", "runbook", "runbookURL", "runbook_link")
MAX_URL = 2000
_BAD = re.compile(r"[\s<>|\"'`\x00-\x1f\x7f]")


def safe_url(value: str | None) -> str | None:
    """`value` when it is an absolute http(s) URL safe to render as a link, else None."""
    if not value or len(value) > MAX_URL or _BAD.search(value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    return value


def runbook_url(annotations: Mapping[str, str], labels: Mapping[str, str] | None = None
                ) -> str | None:
    """The first safe runbook URL among the annotations (then labels) a sender set."""
    for source in (annotations, labels or {}):
        for key in RUNBOOK_KEYS:
            url = safe_url(source.get(key))
            if url:
                return url
    return None
