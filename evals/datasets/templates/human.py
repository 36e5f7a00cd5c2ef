"""Human-written signals: tickets (requests, polite outages, user issues) and Slack messages."""

from __future__ import annotations

from evals.datasets.templates.common import Gen, impact, iso, prio, runbook_for, team

PEOPLE = ["maria.lopez", "tom.baker", "aisha.khan", "li.wei", "jonas.berg", "sofia.rossi",
          "dev.patel", "emma.stone"]
# (title, body, team or None, runbook topic or None): asks for something, nothing broken.
REQUESTS = [
    ("Access to finance share", "Hi, could you please give me read access to the finance "
     "share? My manager approved it.", None, "access"),
    ("New laptop for new hire", "Please order a laptop for our new designer starting on the "
     "2nd. A 16 inch model would be great.", "it", None),
    ("VPN access for contractor", "Please set up VPN access for our contractor j.doe until "
     "end of March.", "it", "access"),
    ("Reporting dashboard access", "Can I get viewer access to the sales dashboards in "
     "reporting? Thanks!", "data", "access"),
    ("Shared mailbox", "Could you create a shared email mailbox support-fr@acme.example for "
     "the French support team?", "it", None),
    ("Question about checkout fees", "What is the current fee structure of the checkout "
     "for card payments? Needed for the board deck, not urgent.", "payments", None),
    ("Replace laptop charger", "My laptop charger is frayed, could I get a replacement?", "it",
     None),
    ("Add product search synonyms", "Please add 'sneakers' as a synonym of 'trainers' in "
     "product search when you have time.", "web", None),
    ("Monitor for home office", "I would like a second monitor for my home office.", None, None),
    ("Rename Slack channel", "Please rename #proj-x to #proj-phoenix.", None, None),
]


def tickets(g: Gen) -> None:
    """Requests, polite tickets that are really outages, and single-user problems."""
    for i in range(20):
        title, body, owner, topic = REQUESTS[i % len(REQUESTS)]
        payload = {"title": title, "body": body, "reporter": g.pick(PEOPLE),
                   "created_at": iso(g.time())}
        if i >= 10:
            payload = {"title": f"Request: {title.lower()}", "body": f"Hello team,\n\n{body}\n\n"
                       "Best regards", "reporter": g.pick(PEOPLE), "priority": "normal"}
        g.add("tk", "ticket", payload,
              {"kind": "request", "security": False, "team": owner,
               **({"runbook": runbook_for(topic)} if topic else {})},
              ["request"], "asks for something, nothing broken: request"
              + (f"; text refers to a {owner} service" if owner else "; no catalog service"))
    polite = [
        ("checkout-api", "Small thing when you have a moment",
         "Hi all, sorry to bother you! Since about 10 minutes no customer can pay at checkout, "
         "every order ends on an error page. Our support line is getting calls. No rush :)"),
        ("web-frontend", "Website question",
         "Hello, quick question: the website shows a blank white page for me and for "
         "everyone in the office and our customers on chat say the same. Thanks in advance!"),
        ("auth-service", "Login a bit odd?",
         "Hey, might be nothing, but customers cannot log in: the login page says 'service "
         "unavailable' for everyone since 09:40. Whenever you get a chance."),
        ("email", "e-mail hiccup",
         "Hi IT, not urgent probably, but nobody on the 3rd floor can send or receive email "
         "since this morning. We're working around it with Slack."),
        ("vpn", "VPN thing", "Hello! Just so you know, none of the remote staff can connect "
         "to the VPN this morning, so about 40 people can't work. Thanks!"),
        ("payments-gateway", "Payments question",
         "Hi, finance here. Sorry if this is the wrong place: the payments gateway has "
         "declined every card since 14:05 and customers are emailing us. Cheers"),
    ]
    for svc, title, body in polite:
        urgency = "high"
        g.add("tk", "ticket", {"title": title, "body": body, "reporter": g.pick(PEOPLE)},
              {"kind": "incident", "event_type": "exception", "security": False,
               "priority": prio(impact(svc), urgency), "team": team(svc)},
              ["tricky", "polite-outage", "user-impact"],
              f"polite tone but {svc} is down for many users now: incident, urgency high")
    single = [
        ("My laptop will not boot", "My laptop shows a black screen since this morning and I "
         "can't work at all.", "high"),  # the one with a clear runbook (it/LaptopIssues.md)
        ("Laptop keyboard", "Two keys on my laptop keyboard stick. Not urgent, I use an "
         "external keyboard meanwhile.", "low"),
        ("Cannot open VPN on my laptop only", "The VPN client crashes on my laptop; colleagues "
         "connect fine. I can work from the office meanwhile.", "medium"),
    ]
    for title, body, urg in single:
        owner = "it"
        exp = {"kind": "incident", "security": False, "priority": prio("low", urg),
               "team": owner}
        if "boot" in title:
            exp["runbook"] = runbook_for("laptop-broken")
        g.add("tk", "ticket", {"title": title, "body": body, "reporter": g.pick(PEOPLE)},
              exp, ["single-user"],
              f"one user's device/service broken: incident, impact low, urgency {urg}")
    g.add("tk", "ticket", "Hi, can someone reset the password of the shared printer account? "
          "Thanks, Emma", {"kind": "request", "security": False, "team": None,
                           "runbook": runbook_for("password-reset")},
          ["request", "plain-text"], "plain-text ticket asking for a change: request")


SLACK = [
    ("checkout is down for everyone, customers are complaining on twitter", "checkout-api",
     "incident", "high"),
    ("website returns 502 for all users right now!!", "web-frontend", "incident", "high"),
    ("customers report they cannot log in, login page times out", "auth-service", "incident",
     "high"),
    ("product search is returning errors for every query, users see an empty results page",
     "search-api", "incident", "high"),
    ("FYI deploy of web-frontend v2.31.0 finished, all green", "web-frontend", "event", "low"),
    ("reporting nightly refresh finished, all dashboards updated",
     "reporting", "event", "low"),
    ("can someone give me access to the reporting dashboards?", "reporting", "request", None),
    ("could I get VPN access for the new intern please", "vpn", "request", None),
]


def slack(g: Gen) -> None:
    """Slack messages: outage reports, FYIs, requests, planned-work announcements."""
    for i in range(16):
        text, svc, kind, urg = SLACK[i % len(SLACK)]
        if i >= len(SLACK):
            text = f"<@U0{g.rng.randint(1000, 9999)}> {text}"
        exp: dict = {"kind": kind, "security": False, "team": team(svc)}
        if kind == "incident":
            exp.update({"event_type": "exception", "priority": prio(impact(svc), urg)})
        elif kind == "event":
            exp.update({"event_type": "informational", "priority": prio(impact(svc), urg)})
        g.add("sl", "slack", text, exp, ["user-impact"] if kind == "incident" else [],
              f"slack message: {kind}; text clearly refers to {svc}")
    for svc, when in [("vpn", "Saturday 10:00-12:00 UTC"), ("email", "Sunday night"),
                      ("orders-db", "Tuesday 01:00-03:00 UTC")]:
        g.add("sl", "slack", f"heads up: planned maintenance on the {svc} {when}, "
              "expect short interruptions", {"kind": "event", "event_type": "maintenance",
                                             "security": False, "team": team(svc)},
              ["maintenance", "announcement"], "announcement of planned work")
