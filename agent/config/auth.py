"""The `auth` config section: who may call `triage serve`, with which scopes.

The service is closed by default: every route but `/healthz` (and Slack's own signed
endpoint) needs a credential. Secrets are never written into the file: a credential names an
environment variable that holds it (`*_env`) or gives its SHA-256 (`*_sha256`).

```yaml
auth:
  tokens:                              # Authorization: Bearer <token>
    - {name: alertmanager, token_env: TRIAGE_AM_TOKEN, scopes: [ingest]}
    - {name: alice, token_sha256: "9f86d0…", scopes: [read, admin], team: payments}
  basic:                               # Authorization: Basic (Alertmanager http_config)
    - {username: grafana, password_env: TRIAGE_GRAFANA_PASSWORD, scopes: [ingest]}
  hmac:                                # X-Triage-Signature: sha256=<hex of HMAC(body)>
    - {name: pagerduty, secret_env: TRIAGE_PD_SECRET, scopes: [ingest]}
```

Scopes: `ingest` (webhooks and events), `read` (decisions, incidents, metrics), `admin`
(maintenance windows, resolve, learnings, approvals, retries). A write's actor is the
credential's `name`, never a field of the request body.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scope = Literal["ingest", "read", "admin"]
ALL_SCOPES: tuple[Scope, ...] = ("ingest", "read", "admin")
_SHA256 = r"^[0-9a-fA-F]{64}$"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}$"
_ENV = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_secret(sha: str | None, env: str | None, what: str) -> None:
    if (sha is None) == (env is None):
        raise ValueError(f"give exactly one of {what}_sha256 or {what}_env")


class TokenCredential(_Strict):
    """A bearer token: its name (the actor), where the secret is, its scopes and team."""

    name: str = Field(pattern=_NAME)
    token_sha256: str | None = Field(None, pattern=_SHA256)
    token_env: str | None = Field(None, pattern=_ENV)
    scopes: list[Scope] = Field(default_factory=lambda: ["read"], min_length=1)
    team: str | None = None  # approvals and learnings only for this team

    @model_validator(mode="after")
    def _secret(self) -> TokenCredential:
        _one_secret(self.token_sha256, self.token_env, "token")
        return self


class BasicCredential(_Strict):
    """HTTP basic auth (Alertmanager `http_config.basic_auth`, Grafana contact points)."""

    username: str = Field(pattern=_NAME)
    password_sha256: str | None = Field(None, pattern=_SHA256)
    password_env: str | None = Field(None, pattern=_ENV)
    scopes: list[Scope] = Field(default_factory=lambda: ["ingest"], min_length=1)
    team: str | None = None

    @model_validator(mode="after")
    def _secret(self) -> BasicCredential:
        _one_secret(self.password_sha256, self.password_env, "password")
        return self


class HmacCredential(_Strict):
    """A webhook sender that signs each body: `sha256=<hex HMAC-SHA256(secret, [ts.]body)>`."""

    name: str = Field(pattern=_NAME)
    secret_env: str = Field(pattern=_ENV)
    header: str = "X-Triage-Signature"
    timestamp_header: str | None = "X-Triage-Timestamp"  # signed as "<ts>.<body>" when sent
    max_skew_s: int = Field(300, ge=1, le=86_400)
    scopes: list[Scope] = Field(default_factory=lambda: ["ingest"], min_length=1)

    @model_validator(mode="after")
    def _header(self) -> HmacCredential:
        for h in (self.header, self.timestamp_header or "x"):
            if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", h):
                raise ValueError(f"{h!r}: not an HTTP header name")
        return self


class AuthSection(_Strict):
    """Credentials accepted by `triage serve` (plus TRIAGE_WEBHOOK_TOKEN from settings)."""

    tokens: list[TokenCredential] = Field(default_factory=list)
    basic: list[BasicCredential] = Field(default_factory=list)
    hmac: list[HmacCredential] = Field(default_factory=list)

    def configured(self) -> bool:
        """True when any credential is declared here."""
        return bool(self.tokens or self.basic or self.hmac)
