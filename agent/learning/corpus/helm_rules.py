"""Prometheus rules kept in Helm charts (Giant Swarm, SAP Converged Cloud) → severity examples.

The Helm control lines are dropped and `{{` … `}}` escapes unwrapped before YAML parsing.
Label: the rule's `severity` label, Giant Swarm's paging levels mapped as page → exception,
notify → warning, and the usual words through `sender_event_type`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from agent.kernel.taxonomy import sender_event_type
from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.prometheus_rules import alertmanager_body, fill_template
from agent.learning.corpus.records import Example

REPO = "giantswarm/prometheus-rules"
SAP_REPO = "sapcc/helm-charts"
LEVELS = {"page": "exception", "notify": "warning"}
_CONTROL = re.compile(r"^\s*\{\{-?.*-?\}\}\s*$")
_ESCAPED = re.compile(r"\{\{`(.*?)`\}\}", re.DOTALL)
_HELM = re.compile(r"\{\{-?\s*(include|\.Values|template|toYaml|if|end|range|else)[^}]*\}\}")


def untemplate(text: str) -> str:
    """Helm template → plain YAML (good enough for rule files)."""
    lines = [ln for ln in text.splitlines() if not _CONTROL.match(ln)]
    body = _ESCAPED.sub(lambda m: m.group(1), "\n".join(lines))
    return _HELM.sub("x", body)


def _area(repo: str, path: str) -> str | None:
    """The chart/area a rules file belongs to, or None when it is not a rules file."""
    if repo == REPO and "/alerting-rules/" in path and path.endswith((".yml", ".yaml")):
        return path.split("/alerting-rules/")[0].rsplit("/", 1)[-1]
    if repo == SAP_REPO and path.endswith(".alerts"):
        return path.split("/")[1] if path.count("/") >= 2 else path
    return None


def severity_examples(mirror: Mirror, exclude_alertnames: set[str]) -> Iterator[Example]:
    """Alerting rules of every rules file (PrometheusRule manifest or plain `groups:`)."""
    for path in mirror.paths():
        area = _area(mirror.repo, path)
        if area is None:
            continue
        try:
            doc = yaml.safe_load(untemplate(mirror.read(path))) or {}
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict):
            continue
        groups = doc.get("groups") or (doc.get("spec") or {}).get("groups") or []
        for group in groups if isinstance(groups, list) else []:
            for rule in group.get("rules") or [] if isinstance(group, dict) else []:
                name = rule.get("alert")
                raw = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
                level = raw.pop("severity", "").lower()
                etype = LEVELS.get(level) or sender_event_type(level)
                if not name or etype is None or name in exclude_alertnames:
                    continue
                exclude_alertnames.add(name)
                labels = {"alertname": name}
                yield Example("severity", etype, f"{mirror.repo}:{area}", f"{mirror.repo}:{area}",
                              "alertmanager", alertmanager_body(rule, labels, fill_template))
