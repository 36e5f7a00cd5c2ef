"""Monitoring notifications: Alertmanager, Grafana and PagerDuty templates with their labels."""

from __future__ import annotations

from datetime import timedelta

from evals.datasets.templates.common import (
    APP_SERVICES,
    CUSTOMER_FACING,
    NAMESPACE,
    Gen,
    am_alert,
    am_webhook,
    grafana_webhook,
    impact,
    pd_event,
    prio,
    team,
    with_runbook,
)

# (alertname, summary, description) for resource conditions: no user impact by themselves.
RESOURCE = [
    ("HighCPUUsage", "CPU usage high on {pod}", "CPU usage is {v}% for the last 10 minutes."),
    ("HighMemoryUsage", "Memory pressure on {pod}", "Working set is {v}% of the memory limit."),
    ("ContainerRestartingOften", "{pod} restarted {n} times in 15m",
     "The container keeps restarting; last exit code 137."),
    ("DiskSpaceLow", "Volume almost full on {pod}", "Persistent volume usage at {v}%."),
    ("ThreadPoolSaturated", "Worker pool saturated on {pod}",
     "All {n} worker threads busy for 5 minutes."),
    ("CertificateExpiringSoon", "TLS certificate of {svc} expires in {n} days",
     "Renewal job has not run yet."),
]
# Error/latency breaches: measured user impact on a customer-facing service.
USER_IMPACT = [
    ("HighErrorRate", "5xx error ratio {v}% on {svc}",
     "More than 5% of requests to {svc} fail with 5xx for 5 minutes."),
    ("LatencyP99High", "p99 latency {n} ms on {svc}",
     "p99 request latency of {svc} above the 1500 ms SLO threshold for 10 minutes."),
    ("SLOErrorBudgetBurn", "{svc} error budget burning 14x",
     "Availability SLO of {svc} breached: 2% of the monthly budget spent in 1 hour."),
]
INFO = [
    ("DeploymentCompleted", "{svc} rolled out version 2.{n}.0", "Rollout finished; 3/3 ready."),
    ("ConfigReloaded", "{svc} configuration reloaded", "Reload successful."),
    ("CacheWarmupFinished", "{svc} cache warm-up finished", "Warm-up took {n} s."),
]


def _impact_urgency(rule: tuple[str, str, str]) -> str:
    """CONTRACTS §1 incident urgency: requests failing now (5xx, an availability SLO burning)
    is high; slow but succeeding (a latency breach) is degradation with a workaround."""
    return "medium" if rule[0] == "LatencyP99High" else "high"


def _impact_why(rule: tuple[str, str, str]) -> str:
    return ("slow but succeeding → urgency medium" if _impact_urgency(rule) == "medium"
            else "requests failing now → urgency high")


def _urgency(rule: tuple[str, str, str], severity: str) -> str:
    """Critical condition without confirmed impact → medium; soft or slow burn → low."""
    if rule[0] == "CertificateExpiringSoon":  # days away: a slow burn whatever the severity
        return "low"
    return "medium" if severity == "critical" else "low"


def _fill(text: str, g: Gen, svc: str, pod: str) -> str:
    return text.format(svc=svc, pod=pod, v=g.rng.randint(91, 99), n=g.rng.randint(3, 40))


def _labels(g: Gen, alertname: str, svc: str, severity: str | None, pod: str) -> dict[str, str]:
    labels = {"alertname": alertname, "service": svc, "namespace": NAMESPACE[svc], "pod": pod}
    if severity:
        labels["severity"] = severity
    return labels


def _am_one(g: Gen, rule: tuple[str, str, str], svc: str, severity: str | None,
            status: str = "firing") -> dict:
    pod = g.pod(svc)
    name, summary, desc = rule
    start = g.time()
    alert = am_alert(_labels(g, name, svc, severity, pod),
                     {"summary": _fill(summary, g, svc, pod),
                      "description": _fill(desc, g, svc, pod)}, start, status,
                     start + timedelta(minutes=12) if status == "resolved" else None)
    return am_webhook([alert])


def alertmanager(g: Gen) -> None:
    """Firing critical/warning/info rules, resolved notices, impact breaches, Kube routes."""
    for i in range(14):
        svc = APP_SERVICES[i % len(APP_SERVICES)]
        sev = "critical" if i % 2 == 0 else "warning"
        rule = g.pick(RESOURCE)
        urg = _urgency(rule, sev)
        et = "exception" if sev == "critical" else "warning"
        g.add("am", "alertmanager", _am_one(g, rule, svc, sev),
              with_runbook({"kind": "alert", "event_type": et, "security": False,
                            "priority": prio(impact(svc), urg), "team": team(svc),
                            "suppressed": False}, rule[0], svc),
              [sev], f"{sev} resource rule on {svc} with no user impact: alert; impact "
              f"{impact(svc)} by tier, urgency {urg} (certificate expiry in days is a slow burn)")
    for i in range(8):
        svc = CUSTOMER_FACING[i % len(CUSTOMER_FACING)]
        g.add("am", "alertmanager", _am_one(g, USER_IMPACT[i % 3], svc, "critical"),
              with_runbook({"kind": "incident", "event_type": "exception", "security": False,
                            "priority": prio(impact(svc), _impact_urgency(USER_IMPACT[i % 3])),
                            "team": team(svc)},
                           USER_IMPACT[i % 3][0], svc),
              ["critical", "user-impact"], f"error/latency breach on customer-facing {svc} is "
              f"measured user impact: incident; {_impact_why(USER_IMPACT[i % 3])}")
    for i in range(5):
        svc = APP_SERVICES[(i * 2) % len(APP_SERVICES)]
        g.add("am", "alertmanager", _am_one(g, INFO[i % 3], svc, "info"),
              {"kind": "event", "event_type": "informational", "security": False,
               "priority": prio(impact(svc), "low"), "team": team(svc)},
              ["info"], "info-level notice: event/informational, urgency low")
    for i in range(6):
        svc = APP_SERVICES[(i * 3 + 1) % len(APP_SERVICES)]
        rule = g.pick(RESOURCE)
        g.add("am", "alertmanager", _am_one(g, rule, svc, g.pick(["critical", "warning"]),
                                            "resolved"),
              {"kind": "event", "event_type": "informational", "security": False,
               "team": team(svc)}, ["resolved"], "resolved notification: event/informational")
    start = g.time()
    g.add("am", "alertmanager", am_webhook([am_alert(
        {"alertname": "Watchdog", "severity": "none", "prometheus": "monitoring/k8s"},
        {"summary": "Alerting pipeline heartbeat",
         "description": "This alert always fires to show the alerting pipeline works."}, start)]),
        {"kind": "event", "event_type": "informational", "security": False, "team": None},
        ["info", "heartbeat"], "heartbeat: event/informational; no route, service or text match")
    for i in range(6):
        svc = APP_SERVICES[(i * 5) % len(APP_SERVICES)]
        pod = g.pod(svc)
        name, sev = g.pick([("KubePodCrashLooping", "warning"), ("KubeDeploymentReplicasMismatch",
                                                                  "warning"),
                            ("KubeContainerWaiting", "warning"), ("KubePodNotReady", "critical")])
        alert = am_alert(_labels(g, name, svc, sev, pod),
                         {"summary": f"{name} for {pod}",
                          "description": f"Pod {NAMESPACE[svc]}/{pod} is not healthy."}, g.time())
        urg = "medium" if sev == "critical" else "low"
        g.add("am", "alertmanager", am_webhook([alert]),
              with_runbook({"kind": "alert",
                            "event_type": "exception" if sev == "critical" else "warning",
                            "security": False, "priority": prio(impact(svc), urg),
                            "team": "payments" if NAMESPACE[svc] == "payments" else "platform"},
                           name, svc),
              [sev, "routing"], "Kube* alert: first matching route decides the team "
              "(namespace payments route comes first)")
    for i in range(4):
        svc = APP_SERVICES[(i * 2 + 3) % len(APP_SERVICES)]
        start = g.time()
        alerts = [am_alert(_labels(g, "HighMemoryUsage", svc, "critical", g.pod(svc)),
                           {"summary": f"Memory pressure on {svc}",
                            "description": "Working set above 95% of the limit."}, start)
                  for _ in range(2)]
        g.add("am", "alertmanager", am_webhook(alerts),
              with_runbook({"kind": "alert", "event_type": "exception", "security": False,
                            "priority": prio(impact(svc), "medium"), "team": team(svc)},
                           "HighMemoryUsage", svc),
              ["critical", "multi-alert"], "two critical pods of one service in one webhook: "
              "each an alert")


def grafana(g: Gen) -> None:
    """Grafana unified alerting: firing by severity, impact breaches, resolved notices."""
    for i in range(12):
        svc = APP_SERVICES[(i * 4) % len(APP_SERVICES)]
        sev = ["critical", "warning", "info"][i % 3]
        name, summary, desc = g.pick(RESOURCE) if sev != "info" else g.pick(INFO)
        pod = g.pod(svc)
        labels = {"alertname": name, "service": svc, "severity": sev, "grafana_folder": "Acme"}
        payload = grafana_webhook(labels, {"summary": _fill(summary, g, svc, pod),
                                           "description": _fill(desc, g, svc, pod)}, g.time(),
                                  value=f"B={g.rng.randint(80, 99)}")
        kind = "event" if sev == "info" else "alert"
        et = {"critical": "exception", "warning": "warning", "info": "informational"}[sev]
        urg = _urgency((name, summary, desc), sev)
        exp = {"kind": kind, "event_type": et, "security": False,
               "priority": prio(impact(svc), urg), "team": team(svc)}
        g.add("gf", "grafana", payload, with_runbook(exp, name, svc) if kind == "alert" else exp,
              [sev], f"Grafana {sev} rule on {svc}: {kind}/{et} by sender severity")
    for i in range(4):
        svc = CUSTOMER_FACING[(i + 1) % len(CUSTOMER_FACING)]
        name, summary, desc = USER_IMPACT[i % 3]
        payload = grafana_webhook({"alertname": name, "service": svc, "severity": "critical"},
                                  {"summary": _fill(summary, g, svc, ""),
                                   "description": _fill(desc, g, svc, "")}, g.time(),
                                  value=f"B={g.rng.randint(6, 30)}")
        g.add("gf", "grafana", payload,
              with_runbook({"kind": "incident", "event_type": "exception", "security": False,
                            "priority": prio(impact(svc), _impact_urgency(USER_IMPACT[i % 3])),
                            "team": team(svc)},
                           name, svc),
              ["critical", "user-impact"], "error/latency breach on a customer-facing service; "
              f"{_impact_why(USER_IMPACT[i % 3])}")
    for _i in range(4):
        svc = g.pick(APP_SERVICES)
        name, summary, desc = g.pick(RESOURCE)
        payload = grafana_webhook({"alertname": name, "service": svc, "severity": "warning"},
                                  {"summary": _fill(summary, g, svc, svc),
                                   "description": _fill(desc, g, svc, svc)}, g.time(),
                                  status="resolved")
        g.add("gf", "grafana", payload, {"kind": "event", "event_type": "informational",
                                        "security": False, "team": team(svc)},
              ["resolved"], "resolved Grafana notification: event/informational")


PD_TEXT = {
    "critical": ["{svc}: health check failing on 2 of 6 instances", "{svc} replica lag 180 s",
                 "{svc}: connection pool 100% in use"],
    "error": ["{svc}: batch job exited with status 1", "{svc}: consumer group stalled"],
    "warning": ["{svc}: GC pauses above 400 ms", "{svc}: slow queries increasing"],
    "info": ["{svc}: nightly backup completed", "{svc}: autoscaler added 2 instances"],
}


def pagerduty(g: Gen) -> None:
    """PagerDuty Events v2: triggers by severity (component names the service), resolves."""
    sevs = ["critical", "error", "warning", "info"]
    for i in range(16):
        svc = APP_SERVICES[(i * 7) % len(APP_SERVICES)]
        sev = sevs[i % 4]
        text = g.pick(PD_TEXT[sev]).format(svc=svc)
        et = {"critical": "exception", "error": "exception", "warning": "warning",
              "info": "informational"}[sev]
        kind = "event" if sev == "info" else "alert"
        urg = "medium" if et == "exception" else "low"
        g.add("pd", "pagerduty",
              pd_event(text, sev, svc, f"{svc}-monitor", g.time(),
                       details={"runbook": f"https://wiki.acme.internal/{svc}"}),
              {"kind": kind, "event_type": et, "security": False,
               "priority": prio(impact(svc), urg), "team": team(svc)},
              [sev], f"PagerDuty {sev} trigger for component {svc}: {kind}/{et}")
    for _i in range(4):
        svc = g.pick(APP_SERVICES)
        text = g.pick(PD_TEXT["critical"]).format(svc=svc)
        g.add("pd", "pagerduty", pd_event(text, "critical", svc, f"{svc}-monitor", g.time(),
                                          action="resolve"),
              {"kind": "event", "event_type": "informational", "security": False,
               "team": team(svc)}, ["resolved"], "PagerDuty resolve: event/informational")
    outages = ["Customers unable to complete payment: {svc} returns 503 for all requests",
               "{svc} down: synthetic checks from 5 regions fail, users report errors",
               "Complete outage of {svc}; status page updated, customers affected"]
    for i in range(4):
        svc = CUSTOMER_FACING[i % len(CUSTOMER_FACING)]
        g.add("pd", "pagerduty",
              pd_event(outages[i % 3].format(svc=svc), "critical", svc, "synthetics", g.time()),
              with_runbook({"kind": "incident", "event_type": "exception", "security": False,
                            "priority": prio(impact(svc), "high"), "team": team(svc)},
                           "outage", svc),
              ["critical", "user-impact"], f"user-facing outage of {svc} now: incident, "
              f"urgency high, impact {impact(svc)}")
