"""Service resolution against the catalog: structured fields first, then clear text mentions."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal

# Label keys whose values name a service directly, and keys whose values embed one (pod-7d9f…).
_DIRECT_KEYS = ("service", "service_name", "app", "application", "app_kubernetes_io_name",
                "app.kubernetes.io/name", "k8s_app", "component", "group", "deployment",
                "statefulset", "daemonset", "container", "job_name", "job", "program",
                "namespace")
_EMBED_KEYS = ("pod", "instance", "host", "hostname", "node", "statefulset", "daemonset")
# Scrape jobs and exporters that report on other workloads: never the affected service.
_REPORTERS = re.compile(r"(?:^|[-_])(kube-state-metrics|node-exporter|kubelet|cadvisor|"
                        r"blackbox(?:-exporter)?|pushgateway|prometheus-node-exporter)$", re.I)
_POD_SUFFIX = re.compile(r"-(?:[a-f0-9]{8,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d+)$")


def _names(config: OrgConfig) -> dict[str, str]:
    """Every lower-cased name or alias that identifies a catalog service → service name."""
    names: dict[str, str] = {}
    for name, entry in config.services.items():
        names[name.lower()] = name
        for alias in entry.aliases:
            names[alias.lower()] = name
    return names


def _embedded(value: str, names: dict[str, str]) -> str | None:
    """A catalog name that `value` starts with, followed by a separator (checkout-api-7d9f-x)."""
    low = value.lower()
    for key in sorted(names, key=len, reverse=True):
        if low == key or re.match(re.escape(key) + r"[-_.:0-9]", low):
            return names[key]
    return None


def _candidates(signal: Signal) -> list[str | None]:
    """Structured values in CONTRACTS §7 order: service label, payload service fields
    (PagerDuty custom_details.service), the parser's service (component, group), the rest."""
    return ([signal.labels.get("service"), signal.annotations.get("service"), signal.service]
            + [signal.labels.get(k) for k in _DIRECT_KEYS])


def structured_service(signal: Signal, config: OrgConfig) -> str | None:
    """The catalog service named by the signal's structured fields, if any.

    The first structured field that names a catalog service wins; a value outside the
    catalog does not stop the search.
    """
    names = _names(config)
    for value in _candidates(signal):
        if value and value.lower() in names:
            return names[value.lower()]
    for value in [signal.host] + [signal.labels.get(k) for k in _EMBED_KEYS]:
        if value and (found := _embedded(value, names)):
            return found
    return None


def fallback_service(signal: Signal) -> str | None:
    """A service outside the catalog from the structured fields (kept when nothing names a
    catalog service): workload labels first, never an exporter that only reports on it."""
    namespace = signal.labels.get("namespace")
    for value in _candidates(signal):
        if value and value != namespace and not _REPORTERS.search(value):
            return value
    if (pod := signal.labels.get("pod")) and not _REPORTERS.search(
            workload := _POD_SUFFIX.sub("", _POD_SUFFIX.sub("", pod))):
        return workload
    return namespace or None


_TERM = re.compile(r"[A-Za-z0-9][\w.-]*[A-Za-z0-9]")
_HOSTNAME = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$|^[a-z]+[-\d][\w-]*\d[\w-]*$", re.I)


def _distinctive(term: str) -> bool:
    """A description term that can identify a service: a proper name ("Okta", "PostgreSQL"),
    an acronym ("VPN", "SMS") or a hostname ("shop.example.com", "db-01")."""
    if len(term) < 2 or term.isdigit():
        return False
    if _HOSTNAME.match(term):
        return True
    return term[0].isupper() and (len(term) >= 3 or term.isupper())


def description_terms(config: OrgConfig) -> dict[str, str]:
    """Distinctive description terms that belong to exactly one service → that service."""
    owners: dict[str, set[str]] = {}
    for name, entry in config.services.items():
        for term in _TERM.findall(entry.description):
            if _distinctive(term):
                owners.setdefault(term.lower(), set()).add(name)
    names = _names(config)
    return {term: next(iter(svc)) for term, svc in owners.items()
            if len(svc) == 1 and term not in names}


@lru_cache(maxsize=64)
def _text_patterns(items: tuple[tuple[str, str], ...],
                   terms: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str, int]]:
    """Word-boundary patterns: names and aliases (rank 0), distinctive description terms
    (rank 1), unambiguous name stems (rank 2)."""
    keys: dict[str, set[str]] = {}
    ranks: dict[str, int] = {}
    for key, service in items:
        keys.setdefault(key, set()).add(service)
        ranks[key] = 0
    for key, service in terms:
        keys.setdefault(key, set()).add(service)
        ranks.setdefault(key, 1)
    for key, service in items:
        stem = re.split(r"[-_]", key)[0]
        if len(stem) >= 3 and stem != key:
            keys.setdefault(stem, set()).add(service)
            ranks.setdefault(stem, 2)
    patterns = []
    for key, services in sorted(keys.items(), key=lambda kv: -len(kv[0])):
        if len(services) == 1:
            spaced = re.escape(key).replace(r"\-", r"[-\s]?").replace("_", r"[_\s]?")
            flags = 0 if len(key) <= 2 else re.I  # two-letter acronyms match as written
            if not flags:
                spaced = spaced.upper()
            pattern = re.compile(rf"(?<![\w-]){spaced}(?![\w-])", flags)
            patterns.append((pattern, next(iter(services)), ranks[key]))
    return patterns


def text_service(text: str, config: OrgConfig) -> str | None:
    """The catalog service a text clearly refers to ("checkout is down", "the VPN", "Okta").

    Full names and aliases beat distinctive description terms, which beat name stems; among
    equals the first mention wins.
    """
    if not text or not config.services:
        return None
    hits: list[tuple[int, int, str]] = []
    patterns = _text_patterns(tuple(sorted(_names(config).items())),
                              tuple(sorted(description_terms(config).items())))
    for pattern, service, rank in patterns:
        if found := pattern.search(text):
            hits.append((rank, found.start(), service))
    return min(hits)[2] if hits else None
