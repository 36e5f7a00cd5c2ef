"""Secret redaction: tokens, keys and passwords are masked before any text leaves the process."""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"

_SECRET_KEYS = (
    r"password|passwd|passphrase|pwd|secret|client[_-]?secret|token|access[_-]?token|"
    r"refresh[_-]?token|auth[_-]?token|id[_-]?token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|aws_secret_access_key|aws_session_token|session[_-]?token|"
    r"credentials?"
)

# Order matters: whole blocks and structured tokens first, generic key=value pairs last.
_PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    ("private_key", re.compile(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?-----END [A-Z0-9 ]*PRIVATE KEY"
        r"(?: BLOCK)?-----", re.S), "[REDACTED:private_key]"),
    ("private_key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[^\n]*(?:\n[^\n]*)*",
                               re.S), "[REDACTED:private_key]"),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
     "[REDACTED:jwt]"),
    ("bearer", re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]{6,}=*"),
     r"\1\2" + MASK),
    ("openai_key", re.compile(r"\bsk-[A-Za-z0-9_-]{12,}"), "[REDACTED:api_key]"),
    ("slack_token", re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{8,}"),
     "[REDACTED:slack_token]"),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
     "[REDACTED:github_token]"),
    ("google_key", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), "[REDACTED:api_key]"),
    ("aws_key_id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b"),
     "[REDACTED:aws_key]"),
    ("url_password", re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(@)"),
     r"\1" + MASK + r"\3"),
    ("secret_pair", re.compile(
        r"(?i)(?P<key>\b(?:[A-Za-z0-9]+[_.-])*(?:" + _SECRET_KEYS + r")\b)"
        r"(?P<q1>[\"']?)(?P<sep>\s*[:=]\s*)"
        r"(?P<q2>[\"']?)(?!\[REDACTED)(?P<value>[^\s\"'&,;}\]]+)"),
     r"\g<key>\g<q1>\g<sep>\g<q2>" + MASK),
]

_SECRET_KEY_NAME = re.compile(r"(?i)^(?:.*[_-])?(?:" + _SECRET_KEYS + r")$")


def redact(text: str) -> str:
    """Mask secrets in free text (bearer tokens, API keys, Slack/AWS/GitHub keys, JWTs, …)."""
    if not text:
        return text
    for _name, pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def redact_value(value: Any) -> Any:
    """Redact every string in a JSON-like value; values under secret-looking keys are masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if (isinstance(key, str) and _SECRET_KEY_NAME.match(key)
                    and isinstance(item, str | int | float) and not isinstance(item, bool)):
                out[key] = MASK
            else:
                out[key] = redact_value(item)
        return out
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value
