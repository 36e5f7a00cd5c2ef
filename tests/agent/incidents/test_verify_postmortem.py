"""Verified remediation from the signal stream, and postmortem drafts through KB review."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.config.org import OrgConfig
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor
from agent.incidents.runtime import IncidentResponse, review_sink
from agent.incidents.verify import parse_spec
from agent.incidents.webhook import WebhookNotifier
from agent.kernel.db import open_db
from agent.kernel.decision import ActionRef, Decision
from agent.kernel.signal import MetricSample, Signal
from agent.store.signals import SignalStore
from knowledge.types import DocHit
from tests.agent.incidents.conftest import T0, Receiver, with_escalation

VERIFY = {"alert_resolves": True, "within": "10m"}


def _decision(sid: str, *, at=T0, status: str = "firing", kind: str = "incident",  # noqa: ANN001
              actions: list[ActionRef] | None = None, fp: str = "fp-5xx") -> Decision:
    return Decision(signal_id=sid, source="alertmanager", fingerprint=fp, received_at=at,
                    timestamp=at, kind=kind, event_type="exception", impact="high",
                    urgency="high", priority="P1", severity="SEV1", service="checkout-api",
                    team="payments", title="CheckoutHighErrorRate", status=status,
                    actions=actions or [], noise={"group_id": "g-1"})


def _signal(d: Decision, *, ends=None, metric: MetricSample | None = None) -> Signal:  # noqa: ANN001
    return Signal(signal_id=d.signal_id, source=d.source, fingerprint=d.fingerprint,
                  status=d.status, title=d.title, service=d.service, timestamp=d.timestamp,
                  received_at=d.received_at, ends_at=ends, metric=metric)


def _runbook(verify: dict) -> list[DocHit]:
    return [DocHit("checkout-api/CheckoutHighErrorRate.md", "5xx", 0.9,
                   metadata={"verify": verify})]


RESTART = ActionRef(tool="kubectl_rollout_restart", status="executed", risk="risky")


@pytest.fixture
def response(demo_config: OrgConfig, tmp_path: Path, receiver: Receiver) -> IncidentResponse:
    conn = open_db(tmp_path / "t.db")
    return IncidentResponse.open(conn, with_escalation(demo_config, receiver.url),
                                 clock=StreamClock(), notifiers=[WebhookNotifier()],
                                 decisions=SignalStore(conn))


def _run(response: IncidentResponse, d: Decision, sig: Signal | None = None,  # noqa: ANN001
         verify: dict = VERIFY) -> None:
    response.decisions.save_decision(d)
    response.observe(sig or _signal(d), d, _runbook(verify))


def test_the_alert_resolving_in_the_window_verifies_the_fix(response: IncidentResponse) -> None:
    _run(response, _decision("s1"))
    _run(response, _decision("s1", actions=[RESTART]))  # the act stage after execution
    resolved = _decision("s2", status="resolved", kind="event", at=T0)
    _run(response, resolved, _signal(resolved, ends=T0 + timedelta(minutes=4)))
    incident = response.service.get("INC-1")
    assert incident.verification == "verified"
    check = response.verifier.checks("INC-1")[0]
    assert check["outcome"] == "verified" and check["decided_at"].startswith("2026-12-01T09:04")
    assert response.decisions.get_decision("s1").actions[0].verification == "verified"
    assert any(e.event == "remediation_verified" for e in incident.timeline)


def test_a_still_firing_alert_is_not_verified_and_escalates(response: IncidentResponse,
                                                            receiver: Receiver) -> None:
    _run(response, _decision("s1"))
    response.service.ack("INC-1", Actor("alice", "cli"), at=T0 + timedelta(minutes=1))
    _run(response, _decision("s1", actions=[RESTART]))
    response.tick(T0 + timedelta(minutes=11))
    incident = response.service.get("INC-1")
    assert incident.verification == "not_verified"
    assert [e.event for e in incident.timeline][-2:] == ["remediation_not_verified",
                                                         "escalated_now"]
    assert receiver.keys()[-1] == "esc:INC-1:now:1:0"  # paged although acknowledged


def test_metric_checks_and_undeclared_checks(response: IncidentResponse) -> None:
    _run(response, _decision("s1", actions=[RESTART]),
         verify={"metric": "http_error_rate_percent", "within": "10m"})
    sample = _decision("m1", kind="event", at=T0 + timedelta(minutes=3), fp="m")
    _run(response, sample, _signal(sample, metric=MetricSample(name="http_error_rate_percent",
                                                               value=0.4)),
         verify={})
    assert response.service.get("INC-1").verification == "verified"
    assert parse_spec({"metric": "x"}, timedelta(minutes=5)).kind == "none"  # no threshold
    assert parse_spec(None, timedelta(minutes=5)).kind == "none"


def test_postmortem_draft_enters_review_and_is_retrievable_only_after_approval(
        demo_config: OrgConfig, tmp_path: Path) -> None:
    from knowledge.base import KnowledgeBase
    from knowledge.learnings import LearningStore
    from knowledge.types import RetrievalQuery

    kb = KnowledgeBase.open(tmp_path / "kb")
    conn = open_db(tmp_path / "t.db")
    response = IncidentResponse.open(conn, demo_config, clock=StreamClock(),
                                     decisions=SignalStore(conn), submit=review_sink(kb))
    _run(response, _decision("s1", actions=[RESTART]))
    response.service.ack("INC-1", Actor("U024BE7LH", "slack"), at=T0 + timedelta(minutes=3))
    response.service.resolve("INC-1", Actor("U024BE7LH", "slack"), at=T0 + timedelta(minutes=20))
    incident = response.service.get("INC-1")
    assert incident.postmortem_id and incident.postmortem_id.startswith("PM-")
    text = response.postmortems.markdown("INC-1")
    for heading in ("## Summary", "## Impact", "## Root Causes", "## Trigger", "## Timeline",
                    "### What went well", "### What went wrong", "## Action Items"):
        assert heading in text
    assert "time to acknowledge 3 min" in text and "to resolve 20 min" in text
    query = RetrievalQuery("CheckoutHighErrorRate postmortem checkout-api", service="checkout-api")
    assert not any(h.id.startswith("postmortems/incidents/") for h in
                   kb.search(query, k=5, kind="postmortem"))
    store = LearningStore(kb)
    assert store.get(incident.postmortem_id).status == "quarantined"
    store.approve(incident.postmortem_id, reviewer="U024BE7LH")
    hits = kb.search(query, k=5, kind="postmortem")
    assert hits[0].id == "postmortems/incidents/INC-1.md"
    record = kb.lexical.get_doc("postmortems/incidents/INC-1.md")
    assert record.meta["incident"] == "INC-1" and record.meta["reviewer"] == "U024BE7LH"
    assert record.meta["signal_ids"] == ["s1"]


def test_health_check_verification_reruns_the_incidents_own_probe(
        demo_config: OrgConfig, tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from agent.incidents.runtime import tool_prober
    from tests.tools.conftest import allow_local
    from tools.runtime import ToolRuntime

    health = {"status": 503}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self.send_response(health["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    conn = open_db(tmp_path / "t.db")
    tools = ToolRuntime.open(tmp_path / "t.db", demo_config.tools, demo_config)
    allow_local(tools, server.server_address[1])  # the test server is in the egress policy
    response = IncidentResponse.open(conn, demo_config, clock=StreamClock(),
                                     decisions=SignalStore(conn), prober=tool_prober(tools))
    probe = ActionRef(tool="http_health_check", args={"url": url}, status="executed",
                      risk="read_only")
    try:
        _run(response, _decision("s1", actions=[probe, RESTART]),
             verify={"health_check": True, "within": "5m"})
        response.tick(T0 + timedelta(minutes=1))
        assert response.service.get("INC-1").verification is None  # still failing, window open
        health["status"] = 200
        response.tick(T0 + timedelta(minutes=2))
        assert response.service.get("INC-1").verification == "verified"
    finally:
        server.shutdown()
        server.server_close()
