"""The egress policy: allowlist by host and port, address checks after DNS, no rebinding."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from agent.config.targets import EgressRule, ServiceTargets, TargetsSection
from tools.egress import EgressDenied, EgressPolicy, embedded_v4


def _policy(**kw) -> EgressPolicy:
    targets = TargetsSection(
        services={"checkout-api": ServiceTargets(
            http=["https://checkout.acme.internal/healthz"], hosts=["db.acme.internal"],
            tls=["pay.acme.example:8443"])},
        egress=[EgressRule(host="*.status.example", ports=[443]),
                EgressRule(host="127.0.0.1", ports=[9000])], **kw)
    return EgressPolicy.from_targets(targets)


def _answers(*addrs: str):
    def resolve(host, port, family=0, type_=0, *rest):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port or 0)) for a in addrs]
    return resolve


@pytest.mark.parametrize(("host", "port", "ok"), [
    ("checkout.acme.internal", 443, True), ("checkout.acme.internal", 80, False),
    ("pay.acme.example", 8443, True), ("pay.acme.example", 443, False),
    ("eu.status.example", 443, True), ("status.example", 443, False),
    ("evil.example", 443, False), ("CHECKOUT.acme.internal.", 443, True),
    ("127.0.0.1", 9000, True), ("127.0.0.1", 9001, False), ("localhost", 9000, False),
    ("169.254.169.254", 80, False), ("2852039166", 80, False),
])
def test_allowlist_by_host_and_port(host: str, port: int, ok: bool) -> None:
    assert (_policy().host_problem(host, port) is None) is ok


@pytest.mark.parametrize("addr", [
    "169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "fe80::1", "169.254.1.1", "0.0.0.0", "::",
    "224.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.2", "10.1.2.3", "192.168.0.1",
    "172.16.5.4", "100.64.0.1", "fc00::1", "::127.0.0.2",
])
def test_refused_addresses_after_dns(addr: str) -> None:
    assert _policy().ip_problem(ipaddress.ip_address(addr), 443) is not None


def test_listed_networks_allow_private_but_never_metadata() -> None:
    policy = _policy(allow_networks=["10.0.0.0/8", "169.254.0.0/16"])
    assert policy.ip_problem(ipaddress.ip_address("10.1.2.3"), 443) is None
    assert policy.ip_problem(ipaddress.ip_address("::ffff:10.1.2.3"), 443) is None
    assert "metadata" in policy.ip_problem(ipaddress.ip_address("169.254.169.254"), 80)
    assert policy.ip_problem(ipaddress.ip_address("93.184.216.34"), 443) is None


def test_embedded_ipv4_forms() -> None:
    want = ipaddress.IPv4Address("169.254.169.254")
    for text in ("::ffff:169.254.169.254", "64:ff9b::169.254.169.254", "2002:a9fe:a9fe::"):
        assert want in embedded_v4(ipaddress.ip_address(text))


def test_a_listed_name_resolving_to_metadata_is_refused() -> None:
    policy = _policy()
    policy.resolver = _answers("93.184.216.34", "169.254.169.254")
    with pytest.raises(EgressDenied, match="metadata"):
        policy.resolve("checkout.acme.internal", 443)
    policy.resolver = _answers("::ffff:169.254.169.254")
    with pytest.raises(EgressDenied):
        policy.resolve("checkout.acme.internal", 443)


def test_unlisted_names_are_never_resolved() -> None:
    asked: list[str] = []
    policy = _policy()
    policy.resolver = lambda host, *a: asked.append(host) or []
    for name in ("c2VjcmV0LXRva2Vu.attacker.example", "localhost", "metadata.google.internal"):
        with pytest.raises(EgressDenied):
            policy.lookup(name)
        with pytest.raises(EgressDenied):
            policy.resolve(name, 443)
    assert asked == []
    assert policy.lookup("db.acme.internal") == []  # listed: asked once
    assert asked == ["db.acme.internal"]


def test_connects_to_the_checked_address_not_a_rebound_one() -> None:
    """The first answer is checked and used; a second, rebinding answer is never asked for."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    targets = TargetsSection(egress=[EgressRule(host="rebind.test", ports=[port])],
                             allow_networks=["127.0.0.1/32"])
    policy = EgressPolicy.from_targets(targets)
    policy.resolver = lambda host, p, *a: _answers(*next(answers))(host, p)
    with policy.connect("rebind.test", port, 2.0) as sock:
        assert sock.getpeername()[:2] == ("127.0.0.1", port)
    server.close()
    assert next(answers) == ["169.254.169.254"]  # never consumed


def test_the_service_itself_is_refused_even_when_listed() -> None:
    policy = _policy()
    policy.forbid_self("127.0.0.1", 9000)
    assert "this service" in policy.host_problem("127.0.0.1", 9000)
    wild = _policy(allow_networks=["127.0.0.0/8"])
    wild.forbid_self("0.0.0.0", 8080)
    assert "this service" in wild.ip_problem(ipaddress.ip_address("127.0.0.2"), 8080)


def test_an_empty_policy_allows_nothing() -> None:
    empty = EgressPolicy()
    assert empty.host_problem("example.org", 443) and empty.name_problem("example.org")
