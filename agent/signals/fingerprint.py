"""Dedup fingerprints: canonical hashes for signals whose sender gives no fingerprint.

Every hash is sha256 over a canonical JSON rendering, cut to 16 hex characters (the length of
an Alertmanager fingerprint). Same inputs always give the same fingerprint across runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(
    r"\b(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def canonical_hash(*parts: object) -> str:
    """sha256 hex[:16] of the parts rendered as canonical JSON (sorted keys, no spaces)."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def labels_fingerprint(labels: Mapping[str, str]) -> str:
    """Fingerprint of an alert's label set (order-independent), as Alertmanager identifies it."""
    return canonical_hash("labels", dict(sorted(labels.items())))


def metric_fingerprint(name: str, labels: Mapping[str, str]) -> str:
    """Fingerprint of a metric series: its name plus its label set."""
    return canonical_hash("metric", name, dict(sorted(labels.items())))


def log_template(message: str) -> str:
    """Mask the variable parts of a log message (uuids, hex ids, numbers) to get its template."""
    text = _UUID.sub("<uuid>", message)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<num>", text)
    return _SPACE.sub(" ", text).strip().lower()


def log_fingerprint(host: str | None, program: str | None, message: str) -> str:
    """Fingerprint of a log line: host, program and the masked message template."""
    return canonical_hash("log", host or "", program or "", log_template(message))


def normalize_text(text: str) -> str:
    """Lower-case and collapse whitespace so trivially different copies hash the same."""
    return _SPACE.sub(" ", text).strip().lower()


def text_fingerprint(source: str, text: str) -> str:
    """Fingerprint of a human message (ticket, Slack, generic): source plus normalized text."""
    return canonical_hash("text", source, normalize_text(text))
