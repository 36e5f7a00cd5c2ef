"""Read-only diagnostics: HTTP health, DNS, TLS expiry, disk usage, processes, logs, deploys."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import ssl
import time
from datetime import UTC, datetime
from typing import Annotated, Literal

import httpx
from pydantic import Field

from tools.builtin.x509 import validity
from tools.envelope import Risk
from tools.paths import confine
from tools.registry import NoData, Plan, StrictArgs, ToolContext, ToolFailure, ToolSpec

HOSTNAME = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$"
AbsPath = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_./@+-]+$")]


def _reject_metadata_ip(host: str) -> None:
    """Refuse cloud metadata / link-local targets (credential theft via SSRF)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_link_local:
            raise ToolFailure(f"{host}: link-local address {addr} is not allowed")


class HttpCheckArgs(StrictArgs):
    """A GET against a URL with the status codes that count as healthy."""

    url: str = Field(max_length=2048, pattern=r"^https?://[^\s\"'<>`\\]+$")
    expect_status: list[Annotated[int, Field(ge=100, le=599)]] = Field(
        default_factory=lambda: list(range(200, 400)), max_length=500)
    timeout_s: float = Field(5.0, gt=0, le=30)
    verify_tls: bool = True


def _http_plan(a: HttpCheckArgs, ctx: ToolContext) -> Plan:
    return Plan(description=f"GET {a.url} (timeout {a.timeout_s}s, verify_tls={a.verify_tls})")


def _http_run(a: HttpCheckArgs, ctx: ToolContext, plan: Plan) -> dict:
    _reject_metadata_ip(httpx.URL(a.url).host)
    start = time.monotonic()
    try:
        with httpx.Client(timeout=a.timeout_s, verify=a.verify_tls, follow_redirects=False,
                          trust_env=False) as client:
            resp = client.get(a.url, headers={"User-Agent": "triage-health-check"})
    except httpx.HTTPError as exc:
        raise ToolFailure(f"{type(exc).__name__}: {exc}") from exc
    healthy = resp.status_code in a.expect_status
    return {"url": a.url, "status_code": resp.status_code, "healthy": healthy,
            "latency_ms": round((time.monotonic() - start) * 1000, 1),
            "content_type": resp.headers.get("content-type", ""), "body_excerpt": resp.text[:500]}


class DnsArgs(StrictArgs):
    """A hostname to resolve and which address family to ask for."""

    name: str = Field(max_length=253, pattern=HOSTNAME)
    family: Literal["any", "A", "AAAA"] = "any"


def _dns_run(a: DnsArgs, ctx: ToolContext, plan: Plan) -> dict:
    fam = {"any": 0, "A": socket.AF_INET, "AAAA": socket.AF_INET6}[a.family]
    try:
        infos = socket.getaddrinfo(a.name, None, fam, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ToolFailure(f"{a.name}: {exc.strerror}") from exc
    addresses = sorted({i[4][0] for i in infos})
    if not addresses:
        raise NoData(f"{a.name}: no addresses")
    return {"name": a.name, "addresses": addresses}


class TlsArgs(StrictArgs):
    """A TLS endpoint whose certificate expiry to read."""

    host: str = Field(max_length=253, pattern=HOSTNAME)
    port: int = Field(443, ge=1, le=65535)
    server_name: str | None = Field(None, max_length=253, pattern=HOSTNAME)
    warn_days: int = Field(14, ge=0, le=3650)


def _tls_run(a: TlsArgs, ctx: ToolContext, plan: Plan) -> dict:
    sni = a.server_name or a.host
    verify_error = None
    ctx_verify = ssl.create_default_context()
    try:
        with socket.create_connection((a.host, a.port), timeout=ctx.timeout_s) as sock, \
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
            with socket.create_connection((a.host, a.port), timeout=ctx.timeout_s) as sock, \
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


class DiskArgs(StrictArgs):
    """An absolute path whose filesystem usage to report."""

    path: AbsPath = "/"


def _disk_run(a: DiskArgs, ctx: ToolContext, plan: Plan) -> dict:
    if not os.path.isabs(a.path):
        raise ToolFailure("path must be absolute")
    try:
        usage = shutil.disk_usage(a.path)
    except OSError as exc:
        raise ToolFailure(f"{a.path}: {exc.strerror}") from exc
    return {"path": a.path, "total_bytes": usage.total, "used_bytes": usage.used,
            "free_bytes": usage.free, "used_percent": round(100 * usage.used / usage.total, 2)}


class TopArgs(StrictArgs):
    """How many processes to list and the sort key."""

    limit: int = Field(10, ge=1, le=50)
    sort: Literal["cpu", "mem"] = "cpu"


def _top_plan(a: TopArgs, ctx: ToolContext) -> Plan:
    key = "-pcpu" if a.sort == "cpu" else "-pmem"
    return Plan([["ps", "-eo", "pid,user,pcpu,pmem,rss,comm", f"--sort={key}"]],
                f"list the top {a.limit} processes by {a.sort}")


def _top_run(a: TopArgs, ctx: ToolContext, plan: Plan) -> dict:
    res = ctx.executor.run(plan.commands[0], ctx.timeout_s)
    if res.returncode != 0:
        raise ToolFailure(f"ps exited {res.returncode}: {res.stderr.strip()[:300]}")
    rows = []
    for line in res.stdout.splitlines()[1:a.limit + 1]:
        parts = line.split(None, 5)
        if len(parts) == 6:
            rows.append({"pid": int(parts[0]), "user": parts[1], "cpu": float(parts[2]),
                         "mem": float(parts[3]), "rss_kb": int(parts[4]), "command": parts[5]})
    return {"processes": rows}


class TailArgs(StrictArgs):
    """A log file inside the configured log folders and how many lines to read."""

    path: AbsPath
    lines: int = Field(50, ge=1, le=500)
    contains: str | None = Field(None, max_length=200)


def _tail_plan(a: TailArgs, ctx: ToolContext) -> Plan:
    path = confine(a.path, ctx.section.log_dirs)
    return Plan(description=f"read the last {a.lines} lines of {path}")


def _tail_run(a: TailArgs, ctx: ToolContext, plan: Plan) -> dict:
    path = confine(a.path, ctx.section.log_dirs)
    if not path.is_file():
        raise ToolFailure(f"{a.path}: not a regular file")
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 1_000_000))
        text = fh.read().decode("utf-8", "replace")
    lines = text.splitlines()
    if a.contains:
        lines = [ln for ln in lines if a.contains in ln]
    lines = lines[-a.lines:]
    if not lines:
        raise NoData("no matching lines")
    return {"path": str(path), "lines": lines}


class DeploysArgs(StrictArgs):
    """Which service's recent deploys to list from the configured deploy log."""

    service: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    limit: int = Field(10, ge=1, le=100)


def _deploys_plan(a: DeploysArgs, ctx: ToolContext) -> Plan:
    if not ctx.section.deploy_log:
        raise ToolFailure("no deploy_log configured")
    return Plan(description=f"read the last {a.limit} deploys"
                f"{' of ' + a.service if a.service else ''} from {ctx.section.deploy_log}")


def _deploys_run(a: DeploysArgs, ctx: ToolContext, plan: Plan) -> dict:
    log_path = ctx.section.deploy_log or ""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()[-20_000:]
    except OSError as exc:
        raise ToolFailure(f"deploy log: {exc.strerror}") from exc
    found: list[dict] = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"line": line}
        if not isinstance(entry, dict):
            continue
        if a.service and entry.get("service") != a.service and \
                a.service not in str(entry.get("line", "")):
            continue
        found.append(entry)
        if len(found) >= a.limit:
            break
    if not found:
        raise NoData("no deploys found")
    return {"deploys": found}


def _desc(text: str) -> Plan:
    return Plan(description=text)


DIAGNOSTICS = [
    ToolSpec("http_health_check", "HTTP GET a URL and report status code and latency.",
             HttpCheckArgs, Risk.read_only, 10.0, _http_plan, _http_run, lambda a: a.url),
    ToolSpec("dns_lookup", "Resolve a hostname to its addresses.", DnsArgs, Risk.read_only,
             10.0, lambda a, c: _desc(f"resolve {a.name} ({a.family})"), _dns_run,
             lambda a: a.name),
    ToolSpec("tls_cert_expiry", "Read the expiry date of a TLS endpoint's certificate.",
             TlsArgs, Risk.read_only, 10.0,
             lambda a, c: _desc(f"TLS handshake with {a.host}:{a.port}, read the certificate"),
             _tls_run, lambda a: f"{a.host}:{a.port}"),
    ToolSpec("disk_usage", "Report filesystem usage for a path.", DiskArgs, Risk.read_only, 5.0,
             lambda a, c: _desc(f"statvfs {a.path}"), _disk_run, lambda a: a.path),
    ToolSpec("top_processes", "List the processes using the most CPU or memory.", TopArgs,
             Risk.read_only, 10.0, _top_plan, _top_run, lambda a: "host"),
    ToolSpec("tail_log", "Read the last lines of a log file under the allowed log folders.",
             TailArgs, Risk.read_only, 5.0, _tail_plan, _tail_run, lambda a: a.path),
    ToolSpec("recent_deploys", "List recent deploys from the deploy log.", DeploysArgs,
             Risk.read_only, 5.0, _deploys_plan, _deploys_run, lambda a: a.service or "*"),
]
