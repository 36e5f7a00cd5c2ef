"""Shared helpers for the team dataset templates: catalog facts, labeling rules, payload makers.

The labels here are a human labeler's reading of the CONTRACTS §1 guide, written down as rules
(impact by tier, urgency by situation, the ITIL matrix); nothing here runs the triage system.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.kernel.taxonomy import priority_for

# name: (team, tier, customer_facing) — mirrors evals/datasets/team/config.yaml
CATALOG: dict[str, tuple[str, int, bool]] = {
    "checkout-api": ("payments", 1, True), "payments-gateway": ("payments", 1, True),
    "web-frontend": ("web", 1, True), "search-api": ("web", 2, True),
    "orders-db": ("data", 1, False), "inventory-service": ("fulfilment", 2, False),
    "notification-worker": ("fulfilment", 3, False), "reporting": ("data", 3, False),
    "auth-service": ("identity", 1, True), "vpn": ("it", 2, False), "email": ("it", 2, False),
    "laptops": ("it", 3, False),
}
APP_SERVICES = ["checkout-api", "payments-gateway", "web-frontend", "search-api", "orders-db",
                "inventory-service", "notification-worker", "reporting", "auth-service"]
CUSTOMER_FACING = [s for s, (_, _, cf) in CATALOG.items() if cf]
INTERNAL = [s for s in APP_SERVICES if not CATALOG[s][2]]
NAMESPACE = {"checkout-api": "payments", "payments-gateway": "payments", "web-frontend": "web",
             "search-api": "web", "orders-db": "data", "inventory-service": "fulfilment",
             "notification-worker": "fulfilment", "reporting": "data", "auth-service": "identity"}
# Maintenance windows of config.yaml: service → (start, end)
WINDOWS = {
    "orders-db": (datetime(2026, 1, 20, 1, tzinfo=UTC), datetime(2026, 1, 20, 3, tzinfo=UTC)),
    "search-api": (datetime(2026, 1, 22, 22, tzinfo=UTC), datetime(2026, 1, 23, 0, tzinfo=UTC)),
    "email": (datetime(2026, 1, 24, 6, tzinfo=UTC), datetime(2026, 1, 24, 8, tzinfo=UTC)),
}
_BLOCKED_DAYS = {20, 22, 23, 24}


def team(service: str) -> str:
    """The catalog team of a service."""
    return CATALOG[service][0]


def impact(service: str) -> str:
    """Impact by tier: 1 → high, 2 → medium, 3 → low."""
    return {1: "high", 2: "medium", 3: "low"}[CATALOG[service][1]]


def prio(impact_level: str, urgency: str) -> str:
    """The ITIL matrix (kernel.taxonomy.priority_for is the matrix, not the classifier)."""
    return priority_for(impact_level, urgency)  # type: ignore[arg-type]


def iso(ts: datetime) -> str:
    """RFC 3339 with a Z suffix."""
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def fp(*parts: Any) -> str:
    """A deterministic 16-hex fingerprint."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Gen:
    """Seeded randomness plus the cases built so far (ids are prefix-number)."""

    rng: random.Random
    cases: list[dict[str, Any]] = field(default_factory=list)
    rationales: list[dict[str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def pick(self, seq: list[Any]) -> Any:
        """One element of seq."""
        return self.rng.choice(seq)

    def time(self) -> datetime:
        """A January 2026 timestamp on a day with no maintenance window."""
        while True:
            day = self.rng.randint(5, 29)
            if day not in _BLOCKED_DAYS:
                break
        return datetime(2026, 1, day, self.rng.randint(0, 23), self.rng.randint(0, 59),
                        self.rng.randint(0, 59), tzinfo=UTC)

    def pod(self, service: str) -> str:
        """A Kubernetes pod name for a service."""
        suffix = "".join(self.rng.choice("abcdefghjkmnpqrstvwxz2456789") for _ in range(5))
        return f"{service}-{self.rng.randint(5, 9)}f{self.rng.randint(10, 99)}c-{suffix}"

    def node(self) -> str:
        """A worker node name (not a catalog service)."""
        return f"ip-10-0-{self.rng.randint(1, 9)}-{self.rng.randint(10, 250)}"

    def add(self, prefix: str, fmt: str, payload: Any, expected: dict[str, Any],
            tags: list[str], rationale: str, context: list[dict[str, Any]] | None = None) -> None:
        """Append one case (tags get the format name; rationale goes to the side file)."""
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        case_id = f"{prefix}-{n:03d}"
        all_tags = [fmt] + [t for t in tags if t != fmt]
        if "kind" in expected and expected["kind"] not in all_tags:
            all_tags.append(expected["kind"])
        case: dict[str, Any] = {"id": case_id, "input": {"format": fmt, "payload": payload}}
        if context:
            case["context"] = context
        case["expected"] = expected
        case["tags"] = all_tags
        self.cases.append(case)
        self.rationales.append({"id": case_id, "rationale": rationale})


def am_alert(labels: dict[str, str], annotations: dict[str, str], starts: datetime,
             status: str = "firing", ends: datetime | None = None) -> dict[str, Any]:
    """One Alertmanager v4 alert; the fingerprint hashes the label set (as Alertmanager does)."""
    return {"status": status, "labels": labels, "annotations": annotations,
            "startsAt": iso(starts), "endsAt": iso(ends) if ends else "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.acme.internal:9090/graph",
            "fingerprint": fp(sorted(labels.items()))}


def am_webhook(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """An Alertmanager webhook (version 4) around alerts that share a group."""
    common = dict(alerts[0]["labels"])
    for a in alerts[1:]:
        common = {k: v for k, v in common.items() if a["labels"].get(k) == v}
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    group = {k: common[k] for k in ("alertname", "service") if k in common}
    return {"receiver": "triage", "status": status, "alerts": alerts, "groupLabels": group,
            "commonLabels": common,
            "commonAnnotations": alerts[0]["annotations"] if len(alerts) == 1 else {},
            "externalURL": "http://alertmanager.acme.internal:9093", "version": "4",
            "groupKey": "{}:" + json.dumps(group, sort_keys=True), "truncatedAlerts": 0}


def grafana_webhook(labels: dict[str, str], annotations: dict[str, str], starts: datetime,
                    status: str = "firing", value: str = "") -> dict[str, Any]:
    """A Grafana unified-alerting webhook with one alert."""
    alert = am_alert(labels, annotations, starts, status,
                     starts + timedelta(minutes=7) if status == "resolved" else None)
    alert.update({"dashboardURL": "https://grafana.acme.internal/d/svc", "panelURL": "",
                  "silenceURL": "https://grafana.acme.internal/alerting/silence/new",
                  "values": {"A": value} if value else {}, "valueString": value})
    return {"receiver": "triage", "status": status, "orgId": 1, "alerts": [alert],
            "groupLabels": {"alertname": labels["alertname"]}, "commonLabels": labels,
            "commonAnnotations": annotations, "externalURL": "https://grafana.acme.internal/",
            "version": "1", "groupKey": f"{{}}:{{alertname=\"{labels['alertname']}\"}}",
            "truncatedAlerts": 0, "title": f"[{status.upper()}:1] {labels['alertname']}",
            "state": "alerting" if status == "firing" else "ok",
            "message": annotations.get("summary", "")}


def pd_event(summary: str, severity: str, component: str | None, source: str, ts: datetime,
             action: str = "trigger", dedup_key: str | None = None,
             details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A PagerDuty Events API v2 body."""
    payload: dict[str, Any] = {"summary": summary, "source": source, "severity": severity,
                               "timestamp": iso(ts)}
    if component:
        payload["component"] = component
    if details:
        payload["custom_details"] = details
    return {"routing_key": "R0ACMESHOP0000000000000000000000", "event_action": action,
            "dedup_key": dedup_key or fp(summary, component, source), "payload": payload}


# The runbook a responder would open, chosen by reading knowledge/corpus/runbooks (doc ids are
# paths relative to that folder). Service-specific entries win; None means no clear choice.
_RUNBOOKS_BY_SERVICE = {
    ("HighErrorRate", "checkout-api"): "checkout-api/CheckoutHigh5xxRate.md",
    ("LatencyP99High", "checkout-api"): "checkout-api/CheckoutLatencySLOBurn.md",
    ("SLOErrorBudgetBurn", "checkout-api"): "checkout-api/CheckoutLatencySLOBurn.md",
    ("ThreadPoolSaturated", "checkout-api"): "checkout-api/CheckoutLatencySLOBurn.md",
    ("LatencyP99High", "search-api"): "search-api/SearchLatencyHigh.md",
    ("SLOErrorBudgetBurn", "web-frontend"): "web-frontend/WebFrontendErrorBudget.md",
    ("ReplicationLagHigh", "orders-db"): "orders-db/PostgresReplicationLag.md",
    ("ConnectionPoolExhausted", "orders-db"): "orders-db/PostgresConnectionsExhausted.md",
    ("ConnectionPoolExhausted", "checkout-api"): "orders-db/PostgresConnectionsExhausted.md",
    ("ConnectionPoolExhausted", "inventory-service"): "orders-db/PostgresConnectionsExhausted.md",
    ("queue_depth", "notification-worker"): "notification-worker/QueueBacklogHigh.md",
    ("outage", "web-frontend"): "web-frontend/WebFrontendDown.md",
    ("outage", "auth-service"): "auth-service/AuthServiceDown.md",
}
_RUNBOOKS = {
    "HighCPUUsage": "infra/HighCPUUsage.md", "cpu_usage_percent": "infra/HighCPUUsage.md",
    "HighMemoryUsage": "infra/HighMemoryUsage.md",
    "memory_used_percent": "infra/HighMemoryUsage.md",
    "ContainerRestartingOften": "kubernetes/KubePodCrashLooping.md",
    "KubePodCrashLooping": "kubernetes/KubePodCrashLooping.md",
    "KubePodNotReady": "kubernetes/KubePodNotReady.md",
    "KubeContainerWaiting": "kubernetes/KubePodNotReady.md",
    "KubeDeploymentReplicasMismatch": "infra/DeployRollback.md",
    "CertificateExpiringSoon": "infra/TLSCertificateExpiring.md",
    "HighErrorRate": "infra/HTTP5xxSpike.md", "LatencyP99High": "infra/LatencySLOBurn.md",
    "SLOErrorBudgetBurn": "infra/LatencySLOBurn.md",
    "brute-force": "security/LoginBruteForce.md", "malware": "security/MalwareDetected.md",
    "leaked-key": "security/LeakedCredentials.md",
    "admin-login": "security/SuspiciousAdminActivity.md",
    "phishing": "security/PhishingReport.md", "access": "it/AccessRequest.md",
    "laptop-broken": "it/LaptopIssues.md", "password-reset": "it/PasswordReset.md",
}
_NO_GENERIC = {("DiskSpaceLow", "orders-db"), ("disk_used_percent", "orders-db")}


def runbook_for(topic: str, service: str | None = None) -> str | None:
    """The expected runbook id for an alert name / metric / topic on a service, if clear."""
    if (topic, service) in _RUNBOOKS_BY_SERVICE:
        return _RUNBOOKS_BY_SERVICE[(topic, service)]
    if (topic, service) in _NO_GENERIC:
        return None
    if topic in {"DiskSpaceLow", "DiskSpaceWarning", "disk_used_percent"}:
        return "infra/DiskSpaceLow.md"
    return _RUNBOOKS.get(topic)


def with_runbook(expected: dict[str, Any], topic: str, service: str | None = None
                 ) -> dict[str, Any]:
    """`expected` plus its runbook label when one is clear."""
    doc = runbook_for(topic, service)
    return {**expected, "runbook": doc} if doc else expected
