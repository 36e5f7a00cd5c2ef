"""The egress guard at the socket boundary: what a running tool really tries to reach.

While a tool runs (`guarded()`), a process audit hook (PEP 578) sees every `socket.connect`
and every DNS query of that thread. Only destinations the egress policy checked and `permit()`ed
for this call pass; anything else is recorded as a violation and refused before it happens —
a second line behind the policy, and the evidence the eval counts (egress outside policy).
"""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
           "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.sendto",
           "socket.sendmsg"}


class EgressBlocked(PermissionError):
    """A tool tried to reach a destination the egress policy did not permit."""


@dataclass
class GuardScope:
    """Permitted destinations of one tool call, and what was attempted."""

    tool: str
    endpoints: set[tuple[str, int]] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    attempts: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


_scope: ContextVar[GuardScope | None] = ContextVar("triage_egress_scope", default=None)
_installed = False
_install_lock = threading.Lock()


def _norm(host: object) -> str:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    text = str(host or "").strip("[]").rstrip(".").lower().split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _check(scope: GuardScope, event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if event == "socket.connect" else args[-1]
        if not isinstance(address, tuple) or len(address) < 2:
            what, ok = f"{event} {address!r}", False  # unix sockets and the like: never
        else:
            host, port = _norm(address[0]), int(address[1])
            what, ok = f"connect {host}:{port}", (host, port) in scope.endpoints
    else:
        name = _norm(args[0]) if args else ""
        what = f"dns {name}"
        ok = name in scope.names or any(name == h for h, _ in scope.endpoints)
    scope.attempts.append(what)
    if not ok:
        scope.violations.append(what)
        raise EgressBlocked(f"egress guard: {what} was not permitted by the egress policy")


def _hook(event: str, args: tuple) -> None:
    if event not in _EVENTS:
        return
    scope = _scope.get()
    if scope is not None:
        _check(scope, event, args)


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


@contextmanager
def guarded(tool: str) -> Iterator[GuardScope]:
    """Run the body as tool `tool` under the guard; yields the scope with its record."""
    _install()
    scope = GuardScope(tool)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def permit(*, endpoints: Iterable[tuple[str, int]] = (), names: Iterable[str] = ()) -> None:
    """Let the running tool reach these checked endpoints / resolve these checked names."""
    scope = _scope.get()
    if scope is None:
        return
    scope.endpoints |= {(_norm(h), int(p)) for h, p in endpoints}
    scope.names |= {_norm(n) for n in names}
