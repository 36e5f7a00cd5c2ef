"""The network egress policy every socket-opening tool goes through.

A destination is allowed only when its host and port are in the organisation's inventory
(`targets` config section). The name is checked *before* any DNS query (no lookups of
sender-chosen names, so no DNS exfiltration); every resolved address is checked *after* DNS
(loopback and private ranges only when listed; link-local, cloud metadata, multicast and
unspecified never, IPv4-mapped / NAT64 / 6to4 forms unwrapped); and the tool then connects to
the very address that was checked, so a second, rebinding answer is never used. The service's
own listening endpoints are refused even when listed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from agent.config.targets import TargetsSection
from tools.egress_guard import permit
from tools.registry import ToolFailure

log = logging.getLogger(__name__)
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class EgressDenied(ToolFailure):
    """A destination outside the egress policy (the tool call fails; nothing is sent)."""


def embedded_v4(addr: IP) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses hidden inside an IPv6 one (mapped, NAT64, 6to4, Teredo, compatible)."""
    if not isinstance(addr, ipaddress.IPv6Address):
        return []
    found = [a for a in (addr.ipv4_mapped, addr.sixtofour) if a is not None]
    if addr.teredo:
        found.extend(addr.teredo)
    packed = int(addr)
    if addr in _NAT64 or (packed >> 32 == 0 and packed > 1):  # NAT64 or ::a.b.c.d
        found.append(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    return found


def _never(addr: IP) -> str | None:
    if addr in METADATA:
        return f"{addr} is a cloud metadata address"
    if addr.is_link_local:
        return f"{addr} is link-local"
    if addr.is_multicast or addr.is_unspecified:
        return f"{addr} is multicast or unspecified"
    if isinstance(addr, ipaddress.IPv4Address) and addr == ipaddress.IPv4Address(
            "255.255.255.255"):
        return f"{addr} is broadcast"
    return None


def _needs_listing(addr: IP) -> bool:
    return addr.is_loopback or addr.is_private or addr in _CGNAT or addr.is_reserved \
        or not addr.is_global


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _literal(host: str) -> IP | None:
    try:
        return ipaddress.ip_address(_host_key(host))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Rule:
    pattern: str  # hostname, *.suffix, IP or CIDR
    ports: frozenset[int]

    def network(self) -> Network | None:
        try:
            return ipaddress.ip_network(self.pattern, strict=False)
        except ValueError:
            return None

    def matches(self, host: str, port: int | None) -> bool:
        if port is not None and port not in self.ports:
            return False
        net = self.network()
        literal = _literal(host)
        if net is not None:
            return literal is not None and literal.version == net.version and literal in net
        if self.pattern.startswith("*."):
            return fnmatchcase(host, self.pattern) and host != self.pattern[2:]
        return host == _host_key(self.pattern)


@dataclass
class EgressPolicy:
    """Allowed (host, port) destinations, listed networks and the service's own endpoints."""

    rules: list[_Rule] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # names dns_lookup may resolve
    networks: list[Network] = field(default_factory=list)  # private/loopback ranges listed
    self_endpoints: set[tuple[str, int]] = field(default_factory=set)
    resolver: Callable[..., list] | None = None  # getaddrinfo-compatible; None: the system's
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_targets(cls, targets: TargetsSection) -> EgressPolicy:
        """The policy the inventory implies: its endpoints, egress rules and networks."""
        rules = [_Rule(_host_key(h), frozenset({p}))
                 for entry in targets.services.values() for h, p in entry.endpoints()]
        rules += [_Rule(_host_key(r.host), frozenset(r.ports)) for r in targets.egress]
        names = {_host_key(n) for n in targets.dns_names()}
        names |= {_host_key(r.host) for r in targets.egress if _literal(r.host) is None}
        networks = [ipaddress.ip_network(n, strict=False) for n in targets.allow_networks]
        for rule in rules:  # an IP or CIDR written into the inventory is a listing too
            net = rule.network()
            if net is not None:
                networks.append(net)
        return cls(rules=rules, names=names, networks=networks)

    # -- the service itself ----------------------------------------------------------------
    def forbid_self(self, host: str, port: int) -> None:
        """Refuse every connection to the service's own listening address and port."""
        addrs = {"127.0.0.1", "::1"}
        lit = _literal(host)
        if lit is not None and not lit.is_unspecified:
            addrs.add(str(lit))
        else:  # a wildcard or a name: every address of this machine
            with contextlib.suppress(OSError):
                addrs |= set(socket.gethostbyname_ex(socket.gethostname())[2])
        with self._lock:
            self.self_endpoints |= {(a, int(port)) for a in addrs}

    def _is_self(self, addr: IP, port: int) -> bool:
        if (str(addr), port) in self.self_endpoints:
            return True
        return addr.is_loopback and any(p == port for _, p in self.self_endpoints)

    # -- checks ----------------------------------------------------------------------------
    def host_problem(self, host: str, port: int) -> str | None:
        """Why (host, port) is not an allowed destination by name; None when it is."""
        key = _host_key(host)
        if not any(rule.matches(key, port) for rule in self.rules):
            return f"{key}:{port} is not in the egress allowlist (targets inventory)"
        lit = _literal(key)
        return self.ip_problem(lit, port) if lit is not None else None

    def name_problem(self, name: str) -> str | None:
        """Why `name` may not be resolved (dns_lookup); None when it is listed."""
        key = _host_key(name)
        if key in self.names or any(r.matches(key, None) for r in self.rules
                                    if r.network() is None):
            return None
        return f"{key} is not a listed host (targets inventory)"

    def ip_problem(self, addr: IP, port: int) -> str | None:
        """Why a resolved address may not be contacted; None when it may."""
        inner = embedded_v4(addr)
        for candidate in [addr, *inner]:
            reason = _never(candidate)
            if reason:
                return reason
            if self._is_self(candidate, port):
                return f"{candidate}:{port} is this service itself"
        for candidate in inner or [addr]:  # a mapped form is judged by the address it wraps
            if _needs_listing(candidate) and not any(
                    candidate.version == n.version and candidate in n for n in self.networks):
                return f"{candidate} is a private or loopback address that is not listed"
        return None

    # -- doing it --------------------------------------------------------------------------
    def _getaddrinfo(self, host: str, port: int | None, family: int = 0) -> list:
        resolver = self.resolver or socket.getaddrinfo
        return resolver(host, port, family, socket.SOCK_STREAM)

    def resolve(self, host: str, port: int) -> list[IP]:
        """Checked addresses for (host, port); raises EgressDenied when none may be used."""
        problem = self.host_problem(host, port)
        if problem:
            raise EgressDenied(problem)
        key = _host_key(host)
        lit = _literal(key)
        if lit is not None:
            return [lit]
        permit(names={key})
        try:
            infos = self._getaddrinfo(key, port)
        except OSError as exc:
            raise ToolFailure(f"{key}: cannot resolve: {exc}") from exc
        good: list[IP] = []
        reasons: list[str] = []
        for info in infos:
            addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            reason = self.ip_problem(addr, port)
            if reason:
                reasons.append(reason)
            elif addr not in good:
                good.append(addr)
        if reasons:  # any bad answer for a listed name: refuse it all (rebinding, poisoning)
            raise EgressDenied(f"{key} resolves to a refused address: {reasons[0]}")
        if not good:
            raise ToolFailure(f"{key}: no addresses")
        return good

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """A TCP connection to a checked address of (host, port); never a re-resolved one."""
        last: OSError | None = None
        for addr in self.resolve(host, port):
            permit(endpoints={(str(addr), port)})
            family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect((str(addr), port))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        assert last is not None
        raise ToolFailure(f"{host}:{port}: {type(last).__name__}: {last}") from last

    def lookup(self, name: str, family: int = 0) -> list[str]:
        """Resolve a listed name (dns_lookup); the name check comes before any query."""
        problem = self.name_problem(name)
        if problem:
            raise EgressDenied(problem)
        key = _host_key(name)
        permit(names={key})
        try:
            infos = self._getaddrinfo(key, None, family)
        except socket.gaierror as exc:
            raise ToolFailure(f"{key}: {exc.strerror}") from exc
        return sorted({str(i[4][0]) for i in infos})
