"""Notice vs condition examples: does a notification's text report a problem at all?

CONTRACTS §1 "Missing severity": a notification without a severity is info-level unless its
text reports a breach, a failure or impact. Labels written by the people who wrote the text:
- **Kubernetes events** in public controllers: `EventTypeNormal` → `notice`, `EventTypeWarning`
  → `condition` (the event's reason as the alertname, its message, placeholders filled, as the
  description);
- **loghub log levels** (systems that log one; never BGL): INFO/DEBUG/notice → `notice`,
  WARN/ERROR/FATAL → `condition` (one line per template, the logger's class as the alertname);
- **Prometheus alerting rules** of every collection (`rule_conditions`): a rule states the
  condition someone chose to be alerted on → `condition`, whatever its severity.
Every payload is the same one-alert Alertmanager body with only an alertname label, so the
format cannot give the label away.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from agent.learning.corpus.mirror import Mirror
from agent.learning.corpus.records import Example

K8S_REPOS = ("cert-manager/cert-manager", "kedacore/keda", "rook/rook", "kubernetes/autoscaler",
             "kubernetes-sigs/cluster-api", "openkruise/kruise", "volcano-sh/volcano",
             "karmada-io/karmada", "kubernetes-sigs/kueue",
             # added 2026-12-07: more controllers that report actions as Normal events
             "kubernetes/ingress-nginx", "knative/serving", "tektoncd/pipeline",
             "argoproj/argo-workflows", "kubernetes-sigs/aws-load-balancer-controller",
             "longhorn/longhorn-manager", "kubernetes/cloud-provider",
             "kubernetes-csi/external-provisioner", "kubernetes-csi/external-snapshotter",
             "kubernetes-csi/external-resizer", "kubernetes-sigs/cluster-api-provider-aws",
             "kubevirt/kubevirt", "kubernetes-sigs/descheduler")
LOG_SYSTEMS = ("Android", "Apache", "HDFS", "Hadoop", "OpenStack", "Spark", "Windows", "Zookeeper")
NOTICE_LEVELS = {"info", "i", "d", "v", "debug", "notice"}
CONDITION_LEVELS = {"warn", "warning", "w", "e", "error", "fatal", "f", "critical", "severe"}
_EVENT = re.compile(
    r"Eventf?\(\s*[^;]*?(?:corev1|v1|api|apiv1|core)\.EventType(Normal|Warning)\s*,\s*"
    r"([\w.]+|\"[^\"]*\")\s*,\s*(?:[\w.]+\s*,\s*)?\"((?:[^\"\\]|\\.)*)\"", re.S)
_VERB = re.compile(r"%[-+ #0-9.]*([a-zA-Z])")
_FILLER = {"d": "3", "f": "0.5", "q": '"name-1"'}
_SKIP_PATH = ("vendor/", "/test/", "test/", "_test.go", "/e2e/", "hack/")


def _body(alertname: str, description: str) -> dict:
    alert = {"status": "firing", "labels": {"alertname": alertname},
             "annotations": {"description": description},
             "startsAt": "2026-11-20T08:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}
    return {"version": "4", "status": "firing", "receiver": "triage", "alerts": [alert]}


def fill_verbs(message: str) -> str:
    """A Go format string with plausible values: '%d pods on %s' → '3 pods on name-1'."""
    return _VERB.sub(lambda m: _FILLER.get(m.group(1), "name-1"), message).replace('\\"', '"')


def _reason(token: str) -> str:
    name = token.strip('"').rsplit(".", 1)[-1]
    return re.sub(r"^(?:reason|event|Reason|Event)(?=[A-Z])", "", name)


def k8s_event_examples(mirror: Mirror) -> Iterator[Example]:
    """One example per distinct (type, reason, message) recorded in the controller's Go code."""
    seen: set[tuple[str, str, str]] = set()
    for path in mirror.paths():
        if not path.endswith(".go") or any(s in path for s in _SKIP_PATH):
            continue
        source = mirror.read(path)
        if "EventType" not in source:
            continue
        for match in _EVENT.finditer(source):
            kind, reason, message = match.group(1), _reason(match.group(2)), match.group(3)
            if len(re.sub(r"%[-+ #0-9.]*[a-zA-Z]|[^A-Za-z]", "", message)) < 8:
                continue  # "%s", err.Error() and the like: no words of the author's own
            key = (kind, reason, message)
            if key in seen:
                continue
            seen.add(key)
            label = "notice" if kind == "Normal" else "condition"
            yield Example("notice", label, f"{mirror.repo}:events", f"{mirror.repo}:{reason}",
                          "alertmanager", _body(reason, fill_verbs(message)))


def log_level_examples(mirror: Mirror) -> Iterator[Example]:
    """One example per loghub template in systems that log a level (the first line of each)."""
    present = set(mirror.paths())
    for system in LOG_SYSTEMS:
        path = f"{system}/{system}_2k.log_structured.csv"
        if path not in present:
            continue
        taken: set[str] = set()
        for row in csv.DictReader(io.StringIO(mirror.read(path))):
            level = (row.get("Level") or "").strip().lower()
            label = "notice" if level in NOTICE_LEVELS else (
                "condition" if level in CONDITION_LEVELS else None)
            if label is None or row["EventId"] in taken or not row.get("Content", "").strip():
                continue
            taken.add(row["EventId"])
            component = re.split(r"[.$/]", row.get("Component") or system)[-1] or system
            yield Example("notice", label, f"{mirror.repo}:{system}", f"{system}:{row['EventId']}",
                          "alertmanager", _body(component, row["Content"].strip()))


def rule_condition(example: Example) -> Example:
    """A severity example (an alerting rule) as a `condition`, with only its alertname kept."""
    alert = example.payload["alerts"][0]
    body = _body(alert["labels"]["alertname"], "")
    body["alerts"][0]["annotations"] = dict(alert.get("annotations") or {})
    return Example("notice", "condition", example.source, example.group, "alertmanager", body)


ZABBIX_REPO = "zabbix/community-templates"
ZABBIX_NOTICE = {"INFO", "1"}
ZABBIX_CONDITION = {"WARNING", "AVERAGE", "HIGH", "DISASTER", "2", "3", "4", "5"}
_MACRO = re.compile(r"\{\$[^}]*\}|\{ITEM\.[^}]*\}|\{#[^}]*\}|\{HOST[^}]*\}|\{[A-Z.]+\}")
_MACRO_FILL = {"{$": "3", "{ITEM": "3", "{#": "name-1"}


def _fill_macros(text: str) -> str:
    """Zabbix macros with plausible values: '{HOST.NAME} up ({$T}m)' → 'host-1 up (3m)'."""
    def fill(m: re.Match[str]) -> str:
        token = m.group(0)
        return next((v for k, v in _MACRO_FILL.items() if token.startswith(k)), "host-1")
    return re.sub(r"\s+", " ", _MACRO.sub(fill, text)).strip()


def _triggers(node: object) -> Iterator[dict]:
    """Every trigger and trigger prototype anywhere in a parsed template."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("triggers", "trigger_prototypes") and isinstance(value, list):
                yield from (t for t in value if isinstance(t, dict) and "name" in t)
            yield from _triggers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _triggers(item)


def _alertname(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)[:6]
    return "".join(w[:1].upper() + w[1:] for w in words) or "ZabbixTrigger"


def zabbix_trigger_examples(mirror: Mirror) -> Iterator[Example]:
    """One example per distinct trigger name in the YAML templates: INFO → notice, WARNING and
    above → condition (NOT_CLASSIFIED skipped); names not mostly ASCII are skipped."""
    import yaml

    seen: set[str] = set()
    paths = [p for p in mirror.paths()
             if p.endswith((".yaml", ".yml")) and not p.startswith(".github")]
    for path, text in mirror.read_many(paths):
        try:
            doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            continue
        folder = path.split("/", 1)[0]
        for trigger in _triggers(doc):
            priority = str(trigger.get("priority", "")).upper()
            label = "notice" if priority in ZABBIX_NOTICE else (
                "condition" if priority in ZABBIX_CONDITION else None)
            name = _fill_macros(str(trigger["name"]))
            key = re.sub(r"[^a-z]+", " ", name.lower()).strip()
            if label is None or len(key) < 8 or key in seen or \
                    sum(c.isascii() for c in name) < 0.9 * len(name):
                continue
            seen.add(key)
            detail = _fill_macros(str(trigger.get("description") or ""))[:300]
            body = _body(_alertname(_MACRO.sub(" ", str(trigger["name"]))), name)
            if detail:
                body["alerts"][0]["annotations"]["summary"] = name
                body["alerts"][0]["annotations"]["description"] = detail
            yield Example("notice", label, f"{mirror.repo}:{folder}", f"zabbix:{key}",
                          "alertmanager", body)
