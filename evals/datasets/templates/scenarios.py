"""Scenarios using `context`: escalation chains, duplicates, maintenance windows, inhibition."""

from __future__ import annotations

from datetime import timedelta

from evals.datasets.templates.common import (
    APP_SERVICES,
    CUSTOMER_FACING,
    NAMESPACE,
    WINDOWS,
    Gen,
    am_alert,
    am_webhook,
    impact,
    iso,
    pd_event,
    prio,
    team,
)


def _crit(g: Gen, svc: str, start, name: str = "ConnectionPoolExhausted",
          severity: str = "critical", status: str = "firing", pod: str | None = None) -> dict:
    labels = {"alertname": name, "service": svc, "namespace": NAMESPACE.get(svc, "corp-it"),
              "pod": pod or f"{svc}-0", "severity": severity}
    return am_webhook([am_alert(labels, {"summary": f"{name} on {svc}",
                                         "description": f"{svc}: all DB connections in use."},
                                start, status,
                                start + timedelta(minutes=9) if status == "resolved" else None)])


def _ctx(fmt: str, payload) -> dict:
    return {"format": fmt, "payload": payload}


REPORTS = ["Customers report errors on {svc}: orders fail with 'something went wrong'",
           "Support is flooded: users say {svc} is not working since 10 minutes",
           "Many users cannot use {svc}, we see complaints in the help centre"]


def escalation(g: Gen) -> None:
    """Alert then user reports; user reports then the alert; warnings climbing to a breach."""
    for i in range(4):
        svc = CUSTOMER_FACING[i % len(CUSTOMER_FACING)]
        start = g.time()
        g.add("esc", "slack", REPORTS[i % 3].format(svc=svc),
              {"kind": "incident", "event_type": "exception", "security": False,
               "priority": prio(impact(svc), "high"), "team": team(svc)},
              ["escalation", "user-impact"], "user reports confirm impact on a service that "
              "already alerted: incident, outage now → urgency high",
              context=[_ctx("alertmanager", _crit(g, svc, start))])
    for i in range(6):
        svc = (CUSTOMER_FACING + ["orders-db"])[(i + 2) % (len(CUSTOMER_FACING) + 1)]
        start = g.time()
        report = {"title": f"{svc} failing for customers",
                  "body": REPORTS[(i + 1) % 3].format(svc=svc), "reporter": "support-desk",
                  "created_at": iso(start - timedelta(minutes=2))}
        g.add("esc", "alertmanager", _crit(g, svc, start),
              {"kind": "incident", "event_type": "exception", "security": False,
               "priority": prio(impact(svc), "high"), "team": team(svc)},
              ["escalation", "user-impact"], "critical rule fires on a service whose users "
              "reported failures just before: correlated context confirms impact → incident",
              context=[_ctx("ticket", report)])
    for i in range(3):
        svc = ["orders-db", "inventory-service", "reporting"][i]
        start = g.time()
        ctx = [_ctx("metric", {"metric": "disk_used_percent", "value": v, "timestamp":
                               iso(start + timedelta(minutes=10 * k)),
                               "labels": {"service": svc, "instance": f"{svc}-0:9100"}})
               for k, v in enumerate([86.0, 91.5])]
        g.add("esc", "metric", {"metric": "disk_used_percent", "value": 96.5,
                                "timestamp": iso(start + timedelta(minutes=20)),
                                "labels": {"service": svc, "instance": f"{svc}-0:9100"}},
              {"kind": "alert", "event_type": "exception", "security": False,
               "priority": prio(impact(svc), "medium"), "team": team(svc)},
              ["escalation"], "disk climbing from warning to critical on an internal service: "
              "alert/exception, no confirmed impact", context=ctx)


def duplicates(g: Gen) -> None:
    """Same fingerprint/start/status again (duplicate) vs resolve, flapping, other host/key."""
    for i in range(5):
        svc = APP_SERVICES[(i * 2) % len(APP_SERVICES)]
        body = _crit(g, svc, g.time(), severity="warning", name="HighLatencyWarning")
        g.add("dup", "alertmanager", body, {"duplicate": True, "team": team(svc)},
              ["duplicate"], "same fingerprint, start time and status as the context alert",
              context=[_ctx("alertmanager", body)])
    for i in range(3):
        svc = APP_SERVICES[(i * 3 + 1) % len(APP_SERVICES)]
        start = g.time()
        g.add("dup", "alertmanager", _crit(g, svc, start, severity="warning", status="resolved"),
              {"duplicate": False, "kind": "event", "event_type": "informational",
               "team": team(svc)}, ["duplicate", "resolved"],
              "resolve of a firing alert is not a duplicate; resolved → event/informational",
              context=[_ctx("alertmanager", _crit(g, svc, start, severity="warning"))])
    for i in range(3):
        svc = APP_SERVICES[(i * 4 + 2) % len(APP_SERVICES)]
        start = g.time()
        ctx = [_ctx("alertmanager", _crit(g, svc, start, severity="warning")),
               _ctx("alertmanager", _crit(g, svc, start, severity="warning", status="resolved"))]
        g.add("dup", "alertmanager", _crit(g, svc, start + timedelta(minutes=15),
                                           severity="warning"),
              {"duplicate": False, "kind": "alert", "event_type": "warning",
               "team": team(svc)}, ["duplicate", "flapping"],
              "new firing after a resolve (flapping) is not a duplicate", context=ctx)
    for i in range(3):
        svc = APP_SERVICES[(i * 5 + 3) % len(APP_SERVICES)]
        start = g.time()
        g.add("dup", "alertmanager", _crit(g, svc, start, pod=f"{svc}-2"),
              {"duplicate": False, "kind": "alert", "event_type": "exception",
               "priority": prio(impact(svc), "medium"), "team": team(svc)},
              ["duplicate", "other-host"], "same alertname on another host is not a duplicate",
              context=[_ctx("alertmanager", _crit(g, svc, start, pod=f"{svc}-1"))])
    for i in range(3):
        svc = APP_SERVICES[(i * 2 + 1) % len(APP_SERVICES)]
        ts = g.time()
        ev = pd_event(f"{svc}: queue consumer lag above 10k", "error", svc, "kafka-exporter", ts,
                      dedup_key=f"{svc}-lag-{i}")
        g.add("dup", "pagerduty", ev, {"duplicate": True, "team": team(svc)},
              ["duplicate"], "same dedup_key, timestamp and action as the context event",
              context=[_ctx("pagerduty", ev)])
    for i in range(2):
        svc = APP_SERVICES[(i * 6 + 2) % len(APP_SERVICES)]
        ts = g.time()
        first = pd_event(f"{svc}: queue consumer lag above 10k", "error", svc, "kafka", ts,
                         dedup_key=f"{svc}-lag-a")
        second = pd_event(f"{svc}: queue consumer lag above 10k", "error", svc, "kafka", ts,
                          dedup_key=f"{svc}-lag-b")
        g.add("dup", "pagerduty", second,
              {"duplicate": False, "kind": "alert", "event_type": "exception",
               "priority": prio(impact(svc), "medium"), "team": team(svc)},
              ["duplicate", "other-key"], "another dedup_key is not a duplicate",
              context=[_ctx("pagerduty", first)])


def _at(g: Gen, svc: str, ts, fmt: str) -> tuple[str, object]:
    if fmt == "alertmanager":
        return fmt, _crit(g, svc, ts, name="ReplicationLagHigh")
    if fmt == "metric":
        return fmt, {"metric": "cpu_usage_percent", "value": 97.0, "timestamp": iso(ts),
                     "labels": {"service": svc, "instance": f"{svc}-1:9100"}}
    return fmt, pd_event(f"{svc}: replication lag 240 s", "critical", svc, "pg-exporter", ts)


def maintenance(g: Gen) -> None:
    """Inside a window (incl. its start) → event/maintenance suppressed; at end/outside → normal."""
    fmts = ["alertmanager", "metric", "pagerduty"]
    i = 0
    for svc, (start, end) in WINDOWS.items():
        for ts, where in [(start + timedelta(minutes=30), "inside"), (start, "at start"),
                          (end - timedelta(seconds=1), "last second")]:
            fmt, payload = _at(g, svc, ts, fmts[i % 3])
            i += 1
            g.add("mw", fmt, payload, {"kind": "event", "event_type": "maintenance",
                                       "suppressed": True, "team": team(svc)},
                  ["maintenance"], f"{svc} signal {where} of its window [start, end): "
                  "event/maintenance, suppressed")
        for ts, where in [(end, "exactly at end"), (start - timedelta(minutes=1), "just before")]:
            fmt, payload = _at(g, svc, ts, fmts[i % 3])
            i += 1
            g.add("mw", fmt, payload, {"kind": "alert", "event_type": "exception",
                                       "suppressed": False,
                                       "priority": prio(impact(svc), "medium"),
                                       "team": team(svc)}, ["maintenance", "tricky"],
                  f"{svc} signal {where} of its window: outside, judged normally (critical "
                  "condition, no impact → alert)")
    for svc, other in [("orders-db", "inventory-service"), ("search-api", "reporting"),
                       ("email", "notification-worker")]:
        start = WINDOWS[svc][0] + timedelta(minutes=20)
        fmt, payload = _at(g, other, start, fmts[i % 3])
        i += 1
        g.add("mw", fmt, payload, {"kind": "alert", "event_type": "exception",
                                   "suppressed": False, "priority": prio(impact(other), "medium"),
                                   "team": team(other)}, ["maintenance"],
              f"{other} is not covered by the {svc} window: judged normally")


def inhibition(g: Gen) -> None:
    """NodeDown (critical) inhibits warnings with the same instance; another instance is not."""
    for i in range(6):
        svc = ["inventory-service", "reporting", "search-api", "notification-worker",
               "checkout-api", "orders-db"][i]
        node = g.node()
        start = g.time()
        source = am_webhook([am_alert({"alertname": "NodeDown", "severity": "critical",
                                       "instance": node},
                                      {"summary": f"Node {node} unreachable"}, start)])
        same = i < 4
        target = am_webhook([am_alert(
            {"alertname": "ServiceLatencyWarning", "severity": "warning", "service": svc,
             "namespace": NAMESPACE.get(svc, "corp-it"), "instance": node if same else g.node()},
            {"summary": f"{svc} latency above soft target"}, start + timedelta(minutes=1))])
        g.add("inh", "alertmanager", target,
              {"kind": "alert", "event_type": "warning", "suppressed": same,
               "priority": prio(impact(svc), "low"), "team": team(svc)},
              ["inhibition"] + (["tricky"] if not same else []),
              "warning on the instance of a firing NodeDown: inhibited, keeps kind and priority"
              if same else "NodeDown is on another instance: not inhibited",
              context=[_ctx("alertmanager", source)])
