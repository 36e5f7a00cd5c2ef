"""Prometheus alerting rules from two mixin collections → severity examples.

Label: the rule's own `severity` label (critical/error/high → exception, warning → warning,
info/none → informational). The severity is removed from the payload, as in a notification that
carries none. Rules whose alertname appears in an evaluation set are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from agent.kernel.taxonomy import sender_event_type
from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.records import Example

REPO = "monitoring-mixins/website"
SECOND_REPO = "nlamirault/monitoring-mixins"
# kubernetes/kube-state-metrics feed the kube-prometheus eval set; gitlab may mirror held-out rules.
SKIP_MIXINS = {"kubernetes", "kube-state-metrics", "gitlab"}
_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_LABEL_REF = re.compile(r"\$labels\.([A-Za-z_]\w*)|\.Labels\.([A-Za-z_]\w*)")
_FILL = {"instance": "10.0.3.17:9100", "job": "node", "namespace": "prod", "pod": "app-7d9f-x2",
         "cluster": "prod-eu-1", "service": "api", "device": "sda", "mountpoint": "/var"}


def fill_template(text: str) -> str:
    """Replace Go-template placeholders with plausible values (as the eval sets do)."""
    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        ref = _LABEL_REF.search(inner)
        if ref:
            name = ref.group(1) or ref.group(2)
            return _FILL.get(name, f"{name}-1")
        if "$value" in inner or ".Value" in inner:
            return "87.5"
        return ""
    return re.sub(r"\s+", " ", _TEMPLATE.sub(one, text)).strip()


def alertmanager_body(rule: dict, labels: dict[str, str], fill=None) -> dict:
    """A one-alert Alertmanager v4 webhook body for a rule (annotations filled in)."""
    fill = fill or fill_template
    annotations = {k: fill(str(v)) for k, v in (rule.get("annotations") or {}).items()
                   if k in {"summary", "description", "message"}}
    alert = {"status": "firing", "labels": labels, "annotations": annotations,
             "startsAt": "2026-11-20T08:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}
    return {"version": "4", "status": "firing", "receiver": "triage", "alerts": [alert]}


def mixin_of(repo: str, path: str) -> str | None:
    """The mixin a rules file belongs to, or None when the file is not a plain rules file."""
    parts = path.split("/")
    if repo == REPO and len(parts) == 3 and parts[0] == "assets" and parts[2] == "alerts.yaml":
        return parts[1]
    if (repo == SECOND_REPO and len(parts) == 4 and parts[0] == "monitoring-mixins"
            and parts[2] == "prometheus" and parts[3] == "alerts.yaml"):
        return parts[1].removesuffix("-mixin")
    return None


def severity_examples(mirror: Mirror, exclude_alertnames: set[str]) -> Iterator[Example]:
    """Every alerting rule of every mixin with a recognised severity label.

    Alertnames already yielded (or in `exclude_alertnames`) are skipped, so a rule that two
    collections both carry is counted once; the set is updated in place."""
    for path in mirror.paths():
        mixin = mixin_of(mirror.repo, path)
        if mixin is None or mixin in SKIP_MIXINS or mixin.startswith("kubernetes"):
            continue
        try:
            doc = yaml.safe_load(mirror.read(path)) or {}
        except yaml.YAMLError:
            continue
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                name = rule.get("alert")
                if not name or name in exclude_alertnames:
                    continue
                exclude_alertnames.add(name)
                raw = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
                etype = sender_event_type(raw.pop("severity", None)) or (
                    "informational" if "severity" not in (rule.get("labels") or {}) else None)
                if etype is None or "severity" not in (rule.get("labels") or {}):
                    continue  # no label to learn from
                labels = {"alertname": name, **{k: fill_template(v) for k, v in raw.items()
                                                if k in {"service", "namespace", "job"}}}
                yield Example("severity", etype, f"{mirror.repo}:{mixin}", mixin, "alertmanager",
                              alertmanager_body(rule, labels))
