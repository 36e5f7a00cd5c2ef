"""Further public Prometheus rule collections (plain YAML, Helm values, BOSH/ERB templates).

Each collection names the files that hold its alerting rules; any mapping with `alert` and
`expr` inside them is a rule. Label: the rule's `severity` label, as in `helm_rules`
(page → exception, notify → warning, then `sender_event_type`); rules without one are skipped.
Files whose path says they copy awesome-prometheus-alerts (an evaluation set) are never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

import yaml

from agent.kernel.taxonomy import sender_event_type
from agent.learning.corpus.helm_rules import LEVELS, untemplate
from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.prometheus_rules import alertmanager_body, fill_template
from agent.learning.corpus.records import Example

_ERB = re.compile(r"<%.*?%>", re.DOTALL)
_EVAL_COPIES = ("awesome",)  # e.g. VictoriaMetrics' awesome_alerts.yml preset


def _cloudfoundry(path: str) -> str | None:
    parts = path.split("/")
    if (len(parts) == 4 and parts[0] == "jobs" and parts[1].endswith(("_alerts", "_alerts-attic"))
            and parts[2] == "templates" and path.endswith((".yml", ".yaml"))
            and not parts[1].startswith("kubernetes")):  # kube-prometheus-like rules
        return parts[1]
    return None


def _gardener(path: str) -> str | None:
    if "/prometheusrules/" in path and path.startswith("pkg/") and path.endswith(".yaml"):
        return path.split("/prometheusrules/")[0].rsplit("/", 2)[-2]
    return None


def _victoriametrics(path: str) -> str | None:
    if path.startswith("deployment/docker/rules/") and path.endswith((".yml", ".yaml")):
        return PurePosixPath(path).stem
    return None


def _openstack_helm(path: str) -> str | None:
    if path.startswith("values_overrides/prometheus/") and path.endswith(".yaml"):
        return PurePosixPath(path).stem
    return None


COLLECTIONS: dict[str, Callable[[str], str | None]] = {
    "cloudfoundry/prometheus-boshrelease": _cloudfoundry,
    "gardener/gardener": _gardener,
    "VictoriaMetrics/VictoriaMetrics": _victoriametrics,
    "openstack/openstack-helm": _openstack_helm,
}


def rules_in(node: object) -> Iterator[dict]:
    """Every alerting rule (a mapping with `alert` and `expr`) anywhere in a parsed document."""
    if isinstance(node, dict):
        if "alert" in node and "expr" in node:
            yield node
            return
        for value in node.values():
            yield from rules_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from rules_in(value)


def label_of(rule: dict) -> str | None:
    """The event_type a rule's own severity label implies (None: no usable label)."""
    level = str((rule.get("labels") or {}).get("severity", "")).strip().lower()
    return LEVELS.get(level) or sender_event_type(level)


def severity_examples(mirror: Mirror, exclude_alertnames: set[str]) -> Iterator[Example]:
    """Alerting rules of one collection; alertnames already seen or excluded are skipped."""
    area_of = COLLECTIONS[mirror.repo]
    for path in mirror.paths():
        area = area_of(path)
        if area is None or any(c in path.lower() for c in _EVAL_COPIES):
            continue
        text = mirror.read(path)
        if "alert:" not in text:
            continue
        try:
            docs = list(yaml.safe_load_all(untemplate(_ERB.sub("x", text))))
        except yaml.YAMLError:
            continue
        for rule in (r for doc in docs for r in rules_in(doc)):
            name, etype = str(rule.get("alert") or ""), label_of(rule)
            if not name or etype is None or name in exclude_alertnames:
                continue
            exclude_alertnames.add(name)
            group = f"{mirror.repo}:{area}"
            yield Example("severity", etype, group, group, "alertmanager",
                          alertmanager_body(rule, {"alertname": name}, fill_template))
