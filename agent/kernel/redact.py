"""Secret redaction: tokens, keys and passwords are masked before anything is stored or shown.

`redact_value` runs once on every decoded payload as it is accepted (`agent.signals.parse.
decode_payload`), so signals, their stored bodies, checkpoints, decisions, Slack posts, the
knowledge base and logs only ever see masked text; the other call sites are last lines of
defence for text that did not come from a signal (LLM prompts, chat questions).
"""

from __future__ import annotations

import base64
import binascii
import functools
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
    # presigned URLs (S3, GCS, Azure SAS) carry their credential in the query string
    ("presigned", re.compile(
        r"(?i)([?&](?:x-amz-(?:signature|credential|security-token)|x-goog-(?:signature|"
        r"credential)|signature|sig|se|sv|skoid|sktid|skt|ske|sks|skv)=)[^&\s\"'<>]+"),
     r"\1" + MASK),
    ("cookie", re.compile(r"(?i)\b((?:set-)?cookie\s*[:=]\s*)[^\r\n\"']+"), r"\1" + MASK),
    ("secret_pair", re.compile(
        r"(?i)(?P<key>\b(?:[A-Za-z0-9]+[_.-])*(?:" + _SECRET_KEYS + r")\b)"
        r"(?P<q1>[\"']?)(?P<sep>\s*[:=]\s*|\s+(?:is|was)\s+)"
        r"(?P<q2>[\"']?)(?!\[REDACTED)(?P<value>[^\s\"'&,;}\]]+)"),
     r"\g<key>\g<q1>\g<sep>\g<q2>" + MASK),
]

_SECRET_KEY_NAME = re.compile(r"(?i)^(?:.*[_-])?(?:" + _SECRET_KEYS + r")$")
# One cheap test before the patterns: text holding none of these (lower-cased) cannot match.
_MAYBE = ("private key", "eyj", "bearer", "basic", "sk-", "?sk", "&sk", "xox", "xapp-", "ghp_",
          "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "aiza", "akia", "asia", "agpa", "aida",
          "aroa", "anpa", "://", "cookie", "sig=", "signature=", "se=", "sv=", "pass", "pwd",
          "secret", "token", "key", "credential")
# Base64 runs long enough to wrap a secret (`cGFzc3dvcmQ9...` is "password=...").
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=_-])")


_MAYBE_RE = re.compile("|".join(re.escape(marker) for marker in _MAYBE))
CACHED_CHARS = 512  # shorter texts repeat across a storm's alerts (labels, URLs): memoized


def _patterns(text: str) -> str:
    if _MAYBE_RE.search(text.lower()) is None:
        return text
    for _name, pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def _unwrap_base64(match: re.Match[str]) -> str:
    """Mask a base64 run whose decoded text holds a secret."""
    blob = match.group(0)
    try:
        decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return blob
    return "[REDACTED:base64]" if _patterns(decoded) != decoded else blob


def redact(text: str) -> str:
    """Mask secrets in free text (bearer tokens, API keys, Slack/AWS/GitHub keys, JWTs, cookies,
    presigned URLs, key=value pairs with secret-like keys, and base64 wrapping any of these)."""
    if not text:
        return text
    if len(text) <= CACHED_CHARS:
        return _redact_short(text)
    return _redact(text)


@functools.lru_cache(maxsize=8192)
def _redact_short(text: str) -> str:
    return _redact(text)


def _redact(text: str) -> str:
    text = _patterns(text)
    if len(text) >= 16:
        text = _BASE64.sub(_unwrap_base64, text)
    return text


def _same(new: Any, old: Any) -> bool:
    return new is old or (isinstance(new, str) and new == old)


def redact_value(value: Any) -> Any:
    """Redact every string in a JSON-like value; values under secret-looking keys are masked.

    Copy on write: a part without secrets is returned as the very same object (so a clean
    payload is not copied and its parts keep their identity, which the store relies on).
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        changed = False
        for key, item in value.items():
            if (isinstance(key, str) and _SECRET_KEY_NAME.match(key)
                    and isinstance(item, str | int | float) and not isinstance(item, bool)):
                new = MASK
            else:
                new = redact_value(item)
            changed = changed or not _same(new, item)
            out[key] = new
        return out if changed else value
    if isinstance(value, list | tuple):
        items = [redact_value(item) for item in value]
        if isinstance(value, list) and all(_same(a, b) for a, b in zip(items, value, strict=True)):
            return value
        return items
    return value
