"""Read-only network diagnostics: HTTP health, DNS, TLS expiry — only through the egress policy.

Each checks its destination against the policy when planning (so dry runs refuse it too) and
connects through `EgressPolicy.connect`, which hands back a socket to the checked address.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field

from tools.builtin.x509 import validity
from tools.egress import EgressDenied, EgressPolicy
from tools.envelope import Risk
from tools.registry import NoData, Plan, StrictArgs, ToolContext, ToolFailure, ToolSpec

HOSTNAME = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$"


def _desc(text: str) -> Plan:
    return Plan(description=text)


def _egress(ctx: ToolContext) -> EgressPolicy:
    """The run's egress policy; without one nothing may be reached (deny by default)."""
    return ctx.egress if ctx.egress is not None else EgressPolicy()


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection whose socket comes from the egress policy (checked address only)."""

    def __init__(self, host: str, port: int, timeout: float, egress: EgressPolicy) -> None:
        super().__init__(host, port, timeout=timeout)
        self._egress = egress

    def connect(self) -> None:
        """Connect to the checked address of host:port."""
        self.sock = self._egress.connect(self.host, self.port, float(self.timeout or 5.0))


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS over a socket from the egress policy; SNI and Host stay the URL's host name."""

    def __init__(self, host: str, port: int, timeout: float, egress: EgressPolicy,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._egress = egress
        self._tls = context

    def connect(self) -> None:
        """Connect to the checked address, then TLS with the URL's host name."""
        sock = self._egress.connect(self.host, self.port, float(self.timeout or 5.0))
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class HttpCheckArgs(StrictArgs):
    """A GET against a URL with the status codes that count as healthy."""

    url: str = Field(max_length=2048, pattern=r"^https?://[^\s\"'<>`\\]+$")
    expect_status: list[Annotated[int, Field(ge=100, le=599)]] = Field(
        default_factory=lambda: list(range(200, 400)), max_length=500)
    timeout_s: float = Field(5.0, gt=0, le=30)
    verify_tls: bool = True


def _refuse_unlisted(problem: str | None) -> None:
    """Refuse at plan time (also in dry runs) a destination outside the egress policy."""
    if problem:
        raise EgressDenied(problem)


def _http_plan(a: HttpCheckArgs, ctx: ToolContext) -> Plan:
    parts = urlsplit(a.url)
    if parts.username or parts.password:
        raise EgressDenied("credentials in URLs are not allowed")
    _refuse_unlisted(_egress(ctx).host_problem(
        parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)))
    return Plan(description=f"GET {a.url} (timeout {a.timeout_s}s, verify_tls={a.verify_tls})")


def _http_run(a: HttpCheckArgs, ctx: ToolContext, plan: Plan) -> dict:
    parts = urlsplit(a.url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    egress = _egress(ctx)
    start = time.monotonic()
    if https:
        tls = ssl.create_default_context()
        if not a.verify_tls:
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = _PinnedHTTPS(host, port, a.timeout_s, egress, tls)
    else:
        conn = _PinnedHTTP(host, port, a.timeout_s, egress)
    try:
        conn.request("GET", path, headers={"User-Agent": "triage-health-check",
                                           "Accept": "*/*", "Connection": "close"})
        resp = conn.getresponse()
        body = resp.read(64_000)
    except (OSError, http.client.HTTPException) as exc:
        raise ToolFailure(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    healthy = resp.status in a.expect_status
    charset = resp.headers.get_content_charset() or "utf-8"
    return {"url": a.url, "status_code": resp.status, "healthy": healthy,
            "latency_ms": round((time.monotonic() - start) * 1000, 1),
            "content_type": resp.headers.get("content-type", ""),
            "body_excerpt": body.decode(charset, "replace")[:500]}


class DnsArgs(StrictArgs):
    """A hostname to resolve and which address family to ask for."""

    name: str = Field(max_length=253, pattern=HOSTNAME)
    family: Literal["any", "A", "AAAA"] = "any"


def _dns_plan(a: DnsArgs, ctx: ToolContext) -> Plan:
    _refuse_unlisted(_egress(ctx).name_problem(a.name))
    return _desc(f"resolve {a.name} ({a.family})")


def _dns_run(a: DnsArgs, ctx: ToolContext, plan: Plan) -> dict:
    fam = {"any": 0, "A": socket.AF_INET, "AAAA": socket.AF_INET6}[a.family]
    addresses = _egress(ctx).lookup(a.name, fam)
    if not addresses:
        raise NoData(f"{a.name}: no addresses")
    return {"name": a.name, "addresses": addresses}


class TlsArgs(StrictArgs):
    """A TLS endpoint whose certificate expiry to read."""

    host: str = Field(max_length=253, pattern=HOSTNAME)
    port: int = Field(443, ge=1, le=65535)
    server_name: str | None = Field(None, max_length=253, pattern=HOSTNAME)
    warn_days: int = Field(14, ge=0, le=3650)


def _tls_plan(a: TlsArgs, ctx: ToolContext) -> Plan:
    _refuse_unlisted(_egress(ctx).host_problem(a.host, a.port))
    return _desc(f"TLS handshake with {a.host}:{a.port}, read the certificate")


def _tls_run(a: TlsArgs, ctx: ToolContext, plan: Plan) -> dict:
    sni = a.server_name or a.host
    verify_error = None
    ctx_verify = ssl.create_default_context()
    try:
        with _egress(ctx).connect(a.host, a.port, ctx.timeout_s) as sock, \
                ctx_verify.wrap_socket(sock, server_hostname=sni) as tls:
            der = tls.getpeercert(binary_form=True)
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message or str(exc)
        der = None
    except OSError as exc:
        raise ToolFailure(f"{a.host}:{a.port}: {exc}") from exc
    if der is None:  # read the certificate anyway to report its expiry
        loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        loose.check_hostname = False
        loose.verify_mode = ssl.CERT_NONE
        try:
            with _egress(ctx).connect(a.host, a.port, ctx.timeout_s) as sock, \
                    loose.wrap_socket(sock, server_hostname=sni) as tls:
                der = tls.getpeercert(binary_form=True)
        except OSError as exc:
            raise ToolFailure(f"{a.host}:{a.port}: {exc}") from exc
    if not der:
        raise NoData("no certificate presented")
    not_before, not_after = validity(der)
    days = (not_after - datetime.now(UTC)).total_seconds() / 86400
    return {"host": a.host, "port": a.port, "not_before": not_before.isoformat(),
            "not_after": not_after.isoformat(), "days_left": round(days, 2),
            "expiring": days < a.warn_days, "verified": verify_error is None,
            "verify_error": verify_error}


NETWORK = [
    ToolSpec("http_health_check", "HTTP GET a URL and report status code and latency.",
             HttpCheckArgs, Risk.read_only, 10.0, _http_plan, _http_run, lambda a: a.url),
    ToolSpec("dns_lookup", "Resolve a hostname to its addresses.", DnsArgs, Risk.read_only,
             10.0, _dns_plan, _dns_run,
             lambda a: a.name),
    ToolSpec("tls_cert_expiry", "Read the expiry date of a TLS endpoint's certificate.",
             TlsArgs, Risk.read_only, 10.0, _tls_plan, _tls_run, lambda a: f"{a.host}:{a.port}"),
]
