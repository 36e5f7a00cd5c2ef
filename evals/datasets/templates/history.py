"""Past labeled cases for the knowledge-base history experiment (different wording/templates).

They name services the way people do in hindsight (nicknames, symptoms, components), so a
system that learns from history can route held-out signals that the catalog alone cannot.
"""

from __future__ import annotations

from evals.datasets.templates.common import (
    APP_SERVICES,
    CATALOG,
    Gen,
    am_alert,
    am_webhook,
    impact,
    iso,
    pd_event,
    prio,
    team,
)

SYMPTOMS = {
    "checkout-api": ["basket totals wrong after promo code", "place-order button spins forever",
                     "order confirmation page 500s"],
    "payments-gateway": ["card authorisations timing out at the PSP", "3-D Secure challenge "
                         "never returns", "refunds stuck in pending at the acquirer"],
    "web-frontend": ["product pages render without CSS", "homepage hero images missing",
                     "storefront shows maintenance banner by mistake"],
    "search-api": ["autocomplete suggestions empty", "search ranking returns out-of-stock first",
                   "facets missing on category search"],
    "orders-db": ["orders table bloat and vacuum lagging", "primary failover took 4 minutes",
                  "long-running transaction blocks order inserts"],
    "inventory-service": ["stock reservations not released", "warehouse sync job double-counts",
                          "SKU availability stale by hours"],
    "notification-worker": ["order confirmation emails delayed", "SMS provider throttling us",
                            "shipping notifications sent twice"],
    "reporting": ["sales dashboard numbers off by one day", "BI extract job failing nightly",
                  "finance report export times out"],
    "auth-service": ["SSO redirect loop for staff", "password reset links expire instantly",
                     "customer sessions dropped after deploy"],
    "vpn": ["remote staff disconnected every 10 min", "split tunnel routes missing",
            "VPN client cert expired for contractors"],
    "email": ["shared mailbox not receiving", "outlook calendar sync broken",
              "mail stuck in outbound queue"],
    "laptops": ["laptop fleet update bricked 3 machines", "disk encryption prompt loops",
                "docking stations not detected after update"],
}
ALERTNAMES = ["ApdexLow", "UpstreamTimeouts", "OOMKilled", "JobFailed", "ErrorBudgetWarning"]


def history(g: Gen) -> None:
    """≥100 past cases: tickets, Slack threads, PagerDuty and Alertmanager in other wording."""
    services = list(CATALOG)
    for i in range(36):
        svc = services[i % len(services)]
        symptom = SYMPTOMS[svc][i % 3]
        g.add("hist", "ticket", {"title": symptom.capitalize(),
                                 "body": f"Since this morning: {symptom}. Several colleagues "
                                         "see the same, we have a workaround for now.",
                                 "reporter": "helpdesk", "created_at": iso(g.time())},
              {"kind": "incident", "security": False, "team": team(svc),
               "priority": prio(impact(svc), "medium")}, ["history"],
              f"past incident on {svc} (degradation with a workaround)")
    for i in range(24):
        svc = services[(i * 5) % len(services)]
        symptom = SYMPTOMS[svc][(i + 1) % 3]
        g.add("hist", "slack", f"postmortem follow-up: {symptom} — fixed by the {team(svc)} "
              "team, see thread", {"kind": "event", "security": False, "team": team(svc)},
              ["history"], f"past discussion of a {svc} issue")
    for i in range(24):
        svc = APP_SERVICES[i % len(APP_SERVICES)]
        sev = ["critical", "warning"][i % 2]
        g.add("hist", "pagerduty", pd_event(
            f"{SYMPTOMS[svc][i % 3]} ({svc})", sev, svc, f"{svc}-probe", g.time()),
              {"kind": "alert", "event_type": "exception" if sev == "critical" else "warning",
               "security": False, "team": team(svc),
               "priority": prio(impact(svc), "medium" if sev == "critical" else "low")},
              ["history"], f"past {sev} trigger for {svc}")
    for i in range(24):
        svc = APP_SERVICES[(i * 2) % len(APP_SERVICES)]
        name = ALERTNAMES[i % len(ALERTNAMES)]
        g.add("hist", "alertmanager", am_webhook([am_alert(
            {"alertname": name, "service": svc, "severity": "warning"},
            {"summary": f"{name} on {svc}", "description": SYMPTOMS[svc][(i + 2) % 3]},
            g.time())]),
              {"kind": "alert", "event_type": "warning", "security": False, "team": team(svc),
               "priority": prio(impact(svc), "low")}, ["history"],
              f"past warning rule on {svc}")
