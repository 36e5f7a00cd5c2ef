"""Who is calling: bearer tokens, basic auth and HMAC-signed bodies, each with its scopes.

Closed by default: without a credential the answer is 401 (and 403 for a credential without
the route's scope). Only `--insecure-no-auth` (loopback only) opens the API, and even then a
write's actor is "anonymous", never a name from the request body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from agent.config.auth import ALL_SCOPES, AuthSection
from agent.config.settings import Settings

log = logging.getLogger(__name__)
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the actor name, its scopes, how it proved itself, its team."""

    name: str
    scopes: frozenset[str]
    method: str
    team: str | None = None

    def allows(self, scope: str) -> bool:
        """True when the principal holds `scope`."""
        return scope in self.scopes


@dataclass(frozen=True)
class _Secret:
    principal: Principal
    digest: bytes  # sha256 of the secret


@dataclass(frozen=True)
class _Signer:
    principal: Principal
    key: bytes
    header: str
    timestamp_header: str | None
    max_skew_s: int


def _sha(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) of an `Authorization: Basic …` header, else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode(
            "utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (user, password) if sep else None


def _match(digests: list[_Secret], secret: str) -> Principal | None:
    given = _sha(secret)
    found = None
    for entry in digests:  # compare against every entry: no early exit on a match
        if hmac.compare_digest(given, entry.digest) and found is None:
            found = entry.principal
    return found


class Authenticator:
    """Checks credentials against TRIAGE_WEBHOOK_TOKEN and the config's `auth` section."""

    def __init__(self, settings: Settings, section: AuthSection, *, insecure: bool = False,
                 environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.insecure = insecure
        self.tokens: list[_Secret] = []
        self.basic: dict[str, _Secret] = {}
        self.signers: list[_Signer] = []
        if settings.webhook_token is not None:
            self.tokens.append(_Secret(Principal("token", frozenset(ALL_SCOPES),
                                                 "bearer"),
                                       _sha(settings.webhook_token.get_secret_value())))
        for t in section.tokens:
            digest = self._digest(t.token_sha256, t.token_env, env, t.name)
            if digest:
                self.tokens.append(_Secret(Principal(t.name, frozenset(t.scopes), "bearer",
                                                     t.team), digest))
        for b in section.basic:
            digest = self._digest(b.password_sha256, b.password_env, env, b.username)
            if digest:
                self.basic[b.username] = _Secret(Principal(b.username, frozenset(b.scopes),
                                                           "basic", b.team), digest)
        for h in section.hmac:
            key = env.get(h.secret_env, "")
            if not key:
                log.warning("hmac credential disabled: environment variable not set",
                            extra={"credential": h.name, "env": h.secret_env})
                continue
            self.signers.append(_Signer(Principal(h.name, frozenset(h.scopes), "hmac"),
                                        key.encode("utf-8"), h.header.lower(),
                                        h.timestamp_header.lower() if h.timestamp_header
                                        else None, h.max_skew_s))

    @staticmethod
    def _digest(sha: str | None, env_name: str | None, env: Mapping[str, str],
                name: str) -> bytes | None:
        if sha:
            return bytes.fromhex(sha)
        value = env.get(env_name or "", "")
        if not value:
            log.warning("credential disabled: environment variable not set",
                        extra={"credential": name, "env": env_name})
            return None
        return _sha(value)

    def configured(self) -> bool:
        """True when at least one credential can succeed."""
        return bool(self.tokens or self.basic or self.signers)

    def from_authorization(self, header: str | None) -> Principal | None:
        """The principal of a Bearer or Basic Authorization header, or None."""
        token = bearer_token(header)
        if token is not None:
            return _match(self.tokens, token)
        creds = basic_credentials(header)
        if creds is not None:
            entry = self.basic.get(creds[0])
            dummy = _Secret(Principal("", frozenset(), ""), b"\0" * 32)
            return _match([entry or dummy], creds[1]) if entry else None
        return None

    def signs(self, headers: Mapping[str, str]) -> bool:
        """True when the request carries a signature header of some configured signer."""
        return any(s.header in headers for s in self.signers)

    def from_signature(self, headers: Mapping[str, str], body: bytes,
                       now: float | None = None) -> Principal | None:
        """The signer whose HMAC over the body (and timestamp) matches, or None."""
        now = time.time() if now is None else now
        for signer in self.signers:
            given = headers.get(signer.header, "").strip()
            if not given:
                continue
            given = given.split("=", 1)[1] if given.lower().startswith("sha256=") else given
            message = body
            if signer.timestamp_header:  # required: a signed body cannot be replayed later
                stamp = headers.get(signer.timestamp_header, "").strip()
                if not stamp.isdigit() or abs(now - int(stamp)) > signer.max_skew_s:
                    continue
                message = stamp.encode() + b"." + body
            want = hmac.new(signer.key, message, hashlib.sha256).hexdigest()
            if hmac.compare_digest(want, given.lower()):
                return signer.principal
        return None


INSECURE = Principal(ANONYMOUS, frozenset(ALL_SCOPES), "insecure-no-auth")
