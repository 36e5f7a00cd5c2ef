"""Minimal DER walk to read a certificate's validity dates (no third-party crypto needed)."""

from __future__ import annotations

from datetime import UTC, datetime


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `pos`."""
    tag = data[pos]
    length = data[pos + 1]
    start = pos + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start:start + count], "big")
        start += count
    return tag, start, start + length


def _time(data: bytes, pos: int) -> datetime:
    tag, start, end = _tlv(data, pos)
    text = data[start:end].decode("ascii").rstrip("Z")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSS
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSS
        raise ValueError("certificate validity is not a time")
    return datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def validity(der: bytes) -> tuple[datetime, datetime]:
    """(notBefore, notAfter) of a DER-encoded X.509 certificate."""
    _, cert_start, _ = _tlv(der, 0)  # Certificate
    _, pos, _ = _tlv(der, cert_start)  # tbsCertificate content
    if der[pos] == 0xA0:  # explicit version
        pos = _tlv(der, pos)[2]
    for _ in range(3):  # serialNumber, signature, issuer
        pos = _tlv(der, pos)[2]
    _, vstart, _ = _tlv(der, pos)  # validity
    not_before = _time(der, vstart)
    not_after = _time(der, _tlv(der, vstart)[2])
    return not_before, not_after
