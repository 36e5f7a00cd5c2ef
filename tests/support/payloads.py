"""Real-shaped webhook bodies shared by the graph, CLI and service tests."""

from __future__ import annotations

from typing import Any


def am_body(name: str, labels: dict[str, str], summary: str, starts: str, fp: str,
            status: str = "firing") -> dict[str, Any]:
    """A real-shaped Alertmanager v4 webhook body with one alert."""
    alert = {"status": status, "labels": {"alertname": name, **labels},
             "annotations": {"summary": summary, "description": summary},
             "startsAt": starts, "endsAt": "0001-01-01T00:00:00Z",
             "generatorURL": "http://prometheus:9090/graph", "fingerprint": fp}
    return {"version": "4", "groupKey": f'{{}}:{{alertname="{name}"}}', "truncatedAlerts": 0,
            "status": status, "receiver": "triage", "groupLabels": {"alertname": name},
            "commonLabels": alert["labels"], "commonAnnotations": alert["annotations"],
            "externalURL": "http://alertmanager:9093", "alerts": [alert]}
