"""The `targets` config section: the organisation's own inventory of tool targets and egress.

Tool arguments that name something to touch (a URL, a host, a unit, a workload, a path) come
only from here, from the catalog, or from a runbook's literal arguments; never from a signal's
labels, annotations or text. The same inventory is the network egress allowlist: a tool may
open a socket only to a host and port listed here (see `tools/egress.py`).

```yaml
targets:
  services:
    checkout-api:
      http: ["https://checkout-api.acme.internal/healthz"]
      hosts: [checkout-api.acme.internal]          # dns_lookup names
      tls: ["checkout-api.acme.internal:443"]
      systemd_units: [checkout-api.service]
      kubernetes: [{namespace: payments, kind: deployment, name: checkout-api}]
      log_paths: [/var/log/checkout/app.log]
      disk_paths: [/var/lib/checkout]
      cache_dirs: [/var/cache/checkout]
  egress:                                          # extra destinations for any service
    - {host: "*.acme.internal", ports: [443]}
  allow_networks: [10.20.0.0/16]                   # private ranges these hosts may resolve to
```
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

HOST_RE = re.compile(r"^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$")
Port = int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _host_ok(host: str) -> bool:
    if HOST_RE.match(host):
        return True
    try:
        ipaddress.ip_network(host.strip("[]"), strict=False)
        return True
    except ValueError:
        return False


def url_endpoint(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL; raises ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r}: needs an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError(f"{url!r}: credentials in URLs are not allowed")
    return parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)


def split_endpoint(text: str, default_port: int = 443) -> tuple[str, int]:
    """(host, port) of `host:port`, `[v6]:port` or a bare host."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host.lower(), int(rest[1:]) if rest.startswith(":") else default_port
    if text.count(":") == 1:
        host, port = text.rsplit(":", 1)
        return host.lower(), int(port)
    return text.lower(), default_port


class Workload(_Strict):
    """A Kubernetes workload the tools may restart or scale."""

    namespace: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    kind: Literal["deployment", "statefulset", "daemonset"] = "deployment"
    name: str = Field(max_length=253, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


class ServiceTargets(_Strict):
    """What tools may touch for one catalog service."""

    http: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)
    tls: list[str] = Field(default_factory=list)
    systemd_units: list[str] = Field(default_factory=list)
    kubernetes: list[Workload] = Field(default_factory=list)
    log_paths: list[str] = Field(default_factory=list)
    disk_paths: list[str] = Field(default_factory=list)
    cache_dirs: list[str] = Field(default_factory=list)

    @field_validator("http")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        for url in values:
            url_endpoint(url)
        return values

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, values: list[str]) -> list[str]:
        for host in values:
            if not _host_ok(host) or host.startswith("*."):
                raise ValueError(f"{host!r}: not a hostname or IP address")
        return values

    @field_validator("tls")
    @classmethod
    def _endpoints(cls, values: list[str]) -> list[str]:
        for text in values:
            host, port = split_endpoint(text)
            if not _host_ok(host) or not 0 < port < 65536:
                raise ValueError(f"{text!r}: expected host:port")
        return values

    @field_validator("log_paths", "disk_paths", "cache_dirs")
    @classmethod
    def _absolute(cls, values: list[str]) -> list[str]:
        for path in values:
            if not path.startswith("/"):
                raise ValueError(f"{path!r}: must be an absolute path")
        return values

    def endpoints(self) -> list[tuple[str, int]]:
        """Every (host, port) the network tools may connect to for this service."""
        out = [url_endpoint(u) for u in self.http]
        out += [split_endpoint(t) for t in self.tls]
        return out


class EgressRule(_Strict):
    """An allowed destination: a hostname, `*.suffix`, IP address or CIDR, and its ports."""

    host: str
    ports: list[int] = Field(default_factory=lambda: [443], min_length=1)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not _host_ok(value):
            raise ValueError(f"{value!r}: not a hostname, *.suffix, IP address or CIDR")
        return value.lower()

    @field_validator("ports")
    @classmethod
    def _ports(cls, values: list[int]) -> list[int]:
        if any(not 0 < p < 65536 for p in values):
            raise ValueError("ports must be 1-65535")
        return values


class TargetsSection(_Strict):
    """The inventory of tool targets per catalog service, plus extra egress destinations."""

    services: dict[str, ServiceTargets] = Field(default_factory=dict)
    egress: list[EgressRule] = Field(default_factory=list)
    allow_networks: list[str] = Field(default_factory=list)  # private/loopback CIDRs allowed

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for text in values:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError as exc:
                raise ValueError(f"{text!r}: not a CIDR network") from exc
        return values

    def for_service(self, service: str | None) -> ServiceTargets | None:
        """The inventory entry of a catalog service, or None."""
        return self.services.get(service or "")

    def dns_names(self) -> set[str]:
        """Every hostname a tool may resolve (listed hosts and endpoint hosts)."""
        names: set[str] = set()
        for entry in self.services.values():
            names.update(h.lower() for h in entry.hosts)
            names.update(h for h, _ in entry.endpoints())
        return names
