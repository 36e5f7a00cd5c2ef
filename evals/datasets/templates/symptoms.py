"""Problem reports that name a service only by its symptom (the history experiment's targets).

A person at Acme would know which service each symptom belongs to; the catalog names do not
appear, so only knowledge of past cases (history.jsonl uses other wording) can route them.
"""

from __future__ import annotations

from evals.datasets.templates.common import Gen, iso, team

REPORTS = {
    "checkout-api": ["Customers are stuck on the place-order step, the spinner never ends",
                     "Order confirmation step throws a 500 after the basket page"],
    "payments-gateway": ["Card authorisations keep timing out at the PSP for shoppers",
                         "The 3-D Secure challenge window never returns for customers"],
    "web-frontend": ["Shoppers see product pages without any CSS styling",
                     "The homepage hero banner images are missing for everyone"],
    "search-api": ["The autocomplete dropdown stays empty for every query",
                   "Category facets vanished from the search results page"],
    "orders-db": ["Order inserts are blocked behind a long-running transaction",
                  "Vacuum is lagging and the orders table keeps bloating"],
    "inventory-service": ["Stock reservations are not released, items show as unavailable",
                          "Warehouse sync is double-counting stock for several SKUs"],
    "notification-worker": ["Order confirmation e-mails to customers arrive hours late",
                            "Shipping notifications were sent twice to many customers"],
    "reporting": ["The sales dashboards show numbers that are a day behind",
                  "The finance export from the BI tool times out every night"],
    "vpn": ["Remote colleagues get disconnected from the corporate network every 10 minutes",
            "Contractors can't connect remotely: their client certificate is rejected"],
    "email": ["The shared support mailbox stopped receiving messages this morning",
              "Outgoing mail is stuck in the outbound queue for the whole office"],
    "laptops": ["After the update several staff machines loop on the disk-encryption prompt",
                "Docking stations are no longer detected on updated staff notebooks"],
}


def symptoms(g: Gen) -> None:
    """Two symptom-only reports per service, as tickets and Slack messages."""
    for svc, texts in REPORTS.items():
        for k, text in enumerate(texts):
            exp = {"kind": "incident", "security": False, "team": team(svc)}
            why = (f"users report a disruption of {svc}, named only by its symptom: incident, "
                   f"team {team(svc)}")
            if k == 0:
                g.add("sym", "ticket", {"title": text, "body": f"{text}. Several people "
                                        "confirmed it. Please have a look.",
                                        "reporter": "service-desk",
                                        "created_at": iso(g.time())},
                      exp, ["symptom", "tricky"], why)
            else:
                g.add("sym", "slack", f"{text}, anyone looking at this?", exp,
                      ["symptom", "tricky"], why)
