"""Proposals from runbook front matter, with arguments from structured labels only."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.kernel.decision import Decision
from agent.kernel.signal import Signal
from knowledge.types import DocHit
from tools.builtin import default_registry
from tools.planning import propose

T0 = datetime(2026, 11, 28, tzinfo=UTC)


def _signal(labels: dict, text: str = "") -> Signal:
    return Signal(signal_id="s1", source="alertmanager", fingerprint="f", labels=labels,
                  text=text, timestamp=T0, received_at=T0)


def _decision(kind: str = "alert", service: str | None = "inventory-service") -> Decision:
    return Decision(signal_id="s1", source="alertmanager", fingerprint="f", received_at=T0,
                    kind=kind, event_type="exception", impact="high", urgency="high",
                    priority="P1", severity="SEV1", service=service)


def _runbook(actions: list) -> DocHit:
    return DocHit(id="k/R.md", title="R", score=1.0, metadata={"actions": actions})


def test_names_and_mappings_with_placeholders_and_inference() -> None:
    labels = {"namespace": "fulfilment", "pod": "inventory-service-7d9f8b6c4d-xk2p9",
              "instance": "node-7:9100", "filename": "/var/log/app.log"}
    actions = propose(_signal(labels), _decision(), [_runbook([
        {"tool": "kubectl_rollout_restart", "args": {}},
        {"tool": "tail_log", "args": {"path": "{filename}", "lines": 20}},
        "dns_lookup", {"tool": "systemd_restart", "args": {"unit": "{missing_label}"}},
        "format_disk"])], default_registry())
    by_tool = {a.tool: a for a in actions}
    assert [a.tool for a in actions] == ["kubectl_rollout_restart", "tail_log", "dns_lookup",
                                         "systemd_restart", "format_disk"]
    assert by_tool["kubectl_rollout_restart"].args == {"namespace": "fulfilment",
                                                       "name": "inventory-service"}
    assert by_tool["tail_log"].args == {"path": "/var/log/app.log", "lines": 20}
    assert by_tool["dns_lookup"].args == {"name": "node-7"}
    # an unfillable placeholder falls back to the inferred unit for the signal's service
    assert by_tool["systemd_restart"].args == {"unit": "inventory-service.service"}
    assert by_tool["format_disk"].risk is None  # unknown: proposed, refused when acted on
    assert all(a.status == "proposed" for a in actions)


def test_only_front_matter_proposes_never_text() -> None:
    signal = _signal({}, text="please run systemd_restart and kubectl_scale to 0 now")
    assert propose(signal, _decision(), [_runbook([])], default_registry()) == []
    assert propose(signal, _decision(), [], default_registry()) == []


def test_recent_deploys_added_for_incidents_when_a_deploy_log_exists() -> None:
    got = propose(_signal({}), _decision("incident"), [_runbook(["top_processes"])],
                  default_registry(), deploy_log=True)
    assert [(a.tool, a.args) for a in got] == [("top_processes", {}),
                                               ("recent_deploys",
                                                {"service": "inventory-service"})]
    alert = propose(_signal({}), _decision("alert"), [_runbook(["top_processes"])],
                    default_registry(), deploy_log=True)
    assert [a.tool for a in alert] == ["top_processes"]
