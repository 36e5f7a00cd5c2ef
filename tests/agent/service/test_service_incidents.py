"""Incident routes: list with records, one incident, lifecycle steps, actor from auth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.agent.service.conftest import cpu_alert, settings_for

SLOW = {"title": "Checkout is slow", "reporter": "support@acme.example",
        "body": "Customers report checkout is very slow and payments time out.",
        "created_at": "2026-12-01T09:22:00Z"}
AUTH = {"Authorization": "Bearer s3cret-token"}


def test_incident_lifecycle_over_http(make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    app = make_app(settings_for(tmp_path, token="s3cret-token"), background=False)
    with TestClient(app, headers=AUTH) as c:
        ids = c.post("/v1/webhooks/alertmanager", json=cpu_alert()).json()["signal_ids"]
        ids += c.post("/v1/tickets", json=SLOW).json()["signal_ids"]
        for sid in ids:
            app.state.service.worker.process(sid)
        listed = c.get("/v1/incidents").json()["incidents"]
        assert len(listed) == 1 and listed[0]["incident_id"] == "INC-1"
        assert listed[0]["state"] == "open" and set(listed[0]["signal_ids"]) == set(ids)
        one = c.get("/v1/incidents/INC-1").json()
        assert one["state"] == "open" and one["timeline"][0]["event"] == "opened"
        assert [d["signal_id"] for d in one["decisions"]] == ids
        assert c.get("/v1/incidents/INC-9").status_code == 404
        assert c.get("/v1/incidents/INC-1", headers={"Authorization": "Bearer no"}
                     ).status_code == 401
        # the actor comes from auth: an "actor" field in the body is refused
        bad = c.post("/v1/incidents/INC-1/ack", json={"reason": "x", "actor": "mallory"})
        assert bad.status_code == 422
        acked = c.post("/v1/incidents/INC-1/ack", json={"reason": "looking"}).json()
        assert acked["state"] == "acknowledged" and acked["acknowledged_by"] == "api:token"
        again = c.post("/v1/incidents/INC-1/ack")
        assert again.status_code == 409 and "cannot ack" in again.json()["error"]
        prio = c.post("/v1/incidents/INC-1/priority", json={"priority": "P1",
                                                            "reason": "all payments fail"})
        assert prio.json()["priority"] == "P1"
        assert c.post("/v1/incidents/INC-1/priority", json={"priority": "P1"}).status_code == 422
        link = c.post("/v1/incidents/INC-1/signals", json={"signal_id": ids[0]}).json()
        assert link == {"incident_id": "INC-1", "signal_id": ids[0], "linked": False}  # already
        assert c.post("/v1/incidents/INC-1/resolve").json()["state"] == "resolved"
        assert c.get("/v1/incidents").json()["incidents"] == []
        declared = c.post("/v1/incidents", json={"title": "VPN down for all staff",
                                                 "priority": "P2", "service": "vpn"})
        assert declared.status_code == 201 and declared.json()["team"] == "it"
        listed = c.get("/v1/incidents").json()["incidents"]
        assert [i["incident_id"] for i in listed] == ["INC-2"]
        metrics = c.get("/metrics").text
        assert 'triage_incident_incidents{scope="all",name="all"} 2.0' in metrics
        assert 'triage_incident_incidents{scope="team",name="payments"} 1.0' in metrics
        assert "# TYPE triage_incident_mttr_min gauge" in metrics
        assert 'triage_incident_signals{scope="all",name="all"} 2.0' in metrics
