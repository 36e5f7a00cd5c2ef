"""Raw telemetry and generic JSON: metric samples against thresholds, log lines, generic events."""

from __future__ import annotations

from evals.datasets.templates.common import (
    APP_SERVICES,
    CATALOG,
    CUSTOMER_FACING,
    Gen,
    impact,
    iso,
    prio,
    team,
    with_runbook,
)

# metric: (warning, critical) from config.yaml
THRESHOLDS = {"cpu_usage_percent": (80, 95), "memory_used_percent": (85, 95),
              "disk_used_percent": (85, 95), "http_error_rate_percent": (2, 5),
              "p99_latency_ms": (800, 1500), "queue_depth": (1000, 5000)}
USER_METRICS = {"http_error_rate_percent", "p99_latency_ms"}


def _value(g: Gen, metric: str, band: str) -> float:
    warn, crit = THRESHOLDS[metric]
    if band == "below":
        return round(g.rng.uniform(warn * 0.3, warn * 0.95), 1)
    if band == "warning":
        return round(g.rng.uniform(warn, crit * 0.98), 1)
    if band == "at-warning":
        return float(warn)
    if band == "at-critical":
        return float(crit)
    return round(g.rng.uniform(crit * 1.02, crit * 1.6), 1)


def metric(g: Gen) -> None:
    """Samples below, at and above the warning/critical thresholds on every kind of service."""
    bands = ["below", "warning", "critical", "at-warning", "at-critical"]
    metrics = list(THRESHOLDS)
    for i in range(40):
        name = metrics[i % len(metrics)]
        band = bands[(i // len(metrics)) % len(bands)]
        svc = (CUSTOMER_FACING if name in USER_METRICS and i % 2 == 0 else APP_SERVICES)[
            (i * 5) % (len(CUSTOMER_FACING) if name in USER_METRICS and i % 2 == 0
                       else len(APP_SERVICES))]
        value = _value(g, name, band)
        labels = {"service": svc, "instance": f"{svc}-{g.rng.randint(0, 5)}:9100",
                  "env": "prod"}
        payload = {"metric": name, "value": value, "labels": labels, "timestamp": iso(g.time())}
        breach = band in {"critical", "at-critical"}
        warn_band = band in {"warning", "at-warning"}
        user = breach and name in USER_METRICS and CATALOG[svc][2]
        if user:
            exp = {"kind": "incident", "event_type": "exception", "urg": "medium"}
            why = "error/latency breach on a customer-facing service: incident"
        elif breach:
            exp = {"kind": "alert", "event_type": "exception", "urg": "medium"}
            why = "sample at or above critical: alert/exception, no confirmed impact"
        elif warn_band:
            exp = {"kind": "event", "event_type": "warning", "urg": "low"}
            why = "sample at or above warning only: event/warning"
        else:
            exp = {"kind": "event", "event_type": "informational", "urg": "low"}
            why = "sample below warning: event/informational"
        tags = [band, exp["kind"]] + (["tricky"] if band.startswith("at-") else [])
        labels_exp = {"kind": exp["kind"], "event_type": exp["event_type"], "security": False,
                      "priority": prio(impact(svc), exp["urg"]), "team": team(svc)}
        if exp["kind"] == "alert":
            labels_exp = with_runbook(labels_exp, name, svc)
        g.add("mt", "metric", payload, labels_exp,
              tags, f"{name}={value} on {svc} (warning {THRESHOLDS[name][0]}, critical "
              f"{THRESHOLDS[name][1]}): {why}")


ROUTINE_ERRORS = [
    ("checkout-api", "checkout", "ERROR payment declined by issuer: insufficient funds "
     "(order {n}, card ****{c})"),
    ("auth-service", "authd", "ERROR login failed: wrong password for user id {n}"),
    ("search-api", "search", "ERROR query parse error for q=\"{c}~~\" returned 400"),
    ("inventory-service", "inventory", "ERROR SKU-{n} not found, returning 404"),
    ("notification-worker", "notifier", "ERROR SMTP 550 mailbox unavailable for "
     "customer {n}, message dropped after 3 retries"),
    ("web-frontend", "nginx", "ERROR client closed connection while waiting for request "
     "(client 198.51.100.{c})"),
]
INFO_LINES = [
    "INFO request completed status=200 duration_ms={n}",
    "INFO scheduled job finished in {n} s",
    "INFO health check ok",
    "INFO connected to orders-db replica (pool size 20)",
]
WARN_LINES = [
    "WARN connection pool {n}% utilised, {c} waiters",
    "WARN retrying upstream call (attempt 3/5) after timeout",
    "WARN slow query took {n}00 ms: SELECT * FROM orders WHERE ...",
    "WARN GC pause of {n}0 ms exceeded 250 ms target",
]


def _line(g: Gen, host: str, program: str, text: str) -> str:
    msg = text.format(n=g.rng.randint(10, 99), c=g.rng.randint(1000, 9999))
    return f"{iso(g.time())} {host} {program}[{g.rng.randint(100, 32000)}]: {msg}"


def log(g: Gen) -> None:
    """Routine ERROR lines (informational), INFO lines, unusual WARN lines."""
    for i in range(12):
        svc, program, text = ROUTINE_ERRORS[i % len(ROUTINE_ERRORS)]
        host = f"{svc}-{g.rng.randint(1, 4)}"
        line = _line(g, host, program, text)
        g.add("lg", "log", line if i % 2 else {"line": line},
              {"kind": "event", "event_type": "informational", "security": False,
               "priority": prio(impact(svc), "low"), "team": team(svc)},
              ["tricky", "routine-error"], "routine ERROR line (expected business error): "
              "event/informational")
    for i in range(6):
        svc = APP_SERVICES[(i * 2) % len(APP_SERVICES)]
        g.add("lg", "log", _line(g, f"{svc}-{i}", svc.split("-")[0], INFO_LINES[i % 4]),
              {"kind": "event", "event_type": "informational", "security": False,
               "team": team(svc)}, ["info"], "normal operation log line")
    for i in range(8):
        svc = APP_SERVICES[(i * 4 + 1) % len(APP_SERVICES)]
        g.add("lg", "log", _line(g, f"{svc}-{i % 3}", svc.split("-")[0], WARN_LINES[i % 4]),
              {"kind": "event", "event_type": "warning", "security": False,
               "priority": prio(impact(svc), "low"), "team": team(svc)},
              ["warning"], "unusual but harmless WARN line: event/warning")


def generic(g: Gen) -> None:
    """Generic JSON: backups, deploys, planned-work announcements, alerts and outages."""
    for i in range(6):
        svc = APP_SERVICES[(i * 2 + 1) % len(APP_SERVICES)]
        title = g.pick([f"Backup of {svc} finished", f"Deploy of {svc} v3.{i}.1 done",
                        f"{svc} certificate renewed"])
        g.add("gn", "generic", {"title": title, "message": "completed successfully",
                                "service": svc, "severity": "info", "timestamp": iso(g.time())},
              {"kind": "event", "event_type": "informational", "security": False,
               "priority": prio(impact(svc), "low"), "team": team(svc)},
              ["info"], "normal operation notice: event/informational")
    for i in range(5):
        svc = APP_SERVICES[(i * 3) % len(APP_SERVICES)]
        g.add("gn", "generic", {
            "title": f"Planned maintenance: {svc} failover test",
            "message": f"We will fail over {svc} on Sunday 02:00-03:00 UTC. Expect brief errors.",
            "service": svc, "timestamp": iso(g.time())},
              {"kind": "event", "event_type": "maintenance", "security": False,
               "team": team(svc)}, ["maintenance", "announcement"],
              "announcement of planned work: event/maintenance")
    for i in range(6):
        svc = APP_SERVICES[(i * 5 + 2) % len(APP_SERVICES)]
        sev = ["critical", "warning"][i % 2]
        g.add("gn", "generic", {
            "title": f"{svc}: " + g.pick(["disk IO saturation", "JVM heap above limit",
                                          "worker thread pool exhausted"]),
            "message": "Threshold rule fired in the infrastructure monitoring platform.",
            "service": svc, "severity": sev, "timestamp": iso(g.time())},
              {"kind": "alert", "event_type": "exception" if sev == "critical" else "warning",
               "security": False,
               "priority": prio(impact(svc), "medium" if sev == "critical" else "low"),
               "team": team(svc)}, [sev], f"generic {sev} rule fired: alert")
    for i in range(3):
        svc = CUSTOMER_FACING[(i * 2) % len(CUSTOMER_FACING)]
        g.add("gn", "generic", {
            "title": f"{svc} outage", "service": svc, "severity": "critical",
            "message": f"{svc} is down: every request times out and customers are reporting "
                       "errors on social media.", "timestamp": iso(g.time())},
              {"kind": "incident", "event_type": "exception", "security": False,
               "priority": prio(impact(svc), "high"), "team": team(svc)},
              ["critical", "user-impact"], "user-facing outage with customer reports: P1-type")
