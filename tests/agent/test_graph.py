"""The real LangGraph pipeline on real SQLite: escalation, maintenance, dedup, checkpoints."""

from __future__ import annotations

import copy
from pathlib import Path

from agent.config.org import OrgConfig
from agent.graph import STAGES
from agent.wiring import build_pipeline
from tests.support.payloads import am_body


def test_cpu_escalation_chain(demo_config: OrgConfig, tmp_path: Path) -> None:
    pipe = build_pipeline(config=demo_config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    calm = pipe.triage({"metric": "cpu_usage_percent", "value": 55,
                        "labels": {"service": "checkout-api", "host": "checkout-api-1"},
                        "timestamp": "2026-12-01T09:00:00Z"})
    hot = pipe.triage(am_body("HighCPU", {"service": "checkout-api", "severity": "critical"},
                              "CPU at 97% for 5 minutes on checkout-api-1",
                              "2026-12-01T09:15:00Z", "cpu1"))
    users = pipe.triage({"title": "Checkout is slow", "reporter": "support@acme.example",
                         "body": "Customers report checkout is very slow and payments time out.",
                         "created_at": "2026-12-01T09:22:00Z"}, "ticket")
    assert [d.kind for d in calm + hot + users] == ["event", "alert", "incident"]
    incident = users[0]
    assert incident.priority in {"P1", "P2"}
    assert incident.service == "checkout-api" and incident.team == "payments"
    assert incident.event_type == "exception" and incident.reasoner == "offline"
    # the decision was durably stored; the finished run's checkpoints (thread = signal id) were
    # pruned, since the stored decision is its outcome (tests/agent/test_checkpoint_pruning.py)
    assert pipe.store.get_decision(incident.signal_id) == incident
    snapshot = pipe.graph.get_state({"configurable": {"thread_id": incident.signal_id}})
    assert not snapshot.next and not snapshot.values  # ran through every stage, nothing left
    assert STAGES[0] == "normalize" and STAGES[-1] == "act"


def test_maintenance_window_turns_alert_into_event(demo_config: OrgConfig) -> None:
    pipe = build_pipeline(config=demo_config)
    labels = {"service": "orders-db", "severity": "critical"}
    inside = pipe.triage(am_body("PostgresDown", labels, "orders-db primary is down",
                                 "2026-12-01T01:31:00Z", "pg1"))[0]
    assert (inside.kind, inside.event_type) == ("event", "maintenance")
    assert inside.noise.suppressed_by and "maintenance" in inside.noise.suppressed_by
    after = pipe.triage(am_body("PostgresDown", labels, "orders-db primary is down",
                                "2026-12-01T03:00:00Z", "pg2"))[0]  # end is exclusive
    assert (after.kind, after.event_type) == ("alert", "exception")
    assert after.noise.suppressed_by is None
    other = pipe.triage(am_body("PostgresDown", {**labels, "service": "reporting"},
                                "reporting db down", "2026-12-01T01:31:00Z", "pg3"))[0]
    assert other.kind == "alert"


def test_same_body_twice_gives_one_decision_and_one_duplicate(demo_config: OrgConfig) -> None:
    pipe = build_pipeline(config=demo_config)
    body = am_body("KubePodCrashLooping", {"service": "inventory-service", "severity": "warning",
                                           "namespace": "fulfilment"},
                   "Pod is crash looping", "2026-12-01T10:30:00Z", "crash1")
    first = pipe.triage(body)
    second = pipe.triage(copy.deepcopy(body))
    assert len(first) == len(second) == 1
    assert first[0].noise.duplicate_of is None
    assert second[0].noise.duplicate_of == first[0].signal_id
    assert second[0].noise.group_id == first[0].noise.group_id
    # a redelivery under the same delivery key returns the stored decisions, deciding nothing
    again = pipe.triage(copy.deepcopy(body), delivery_key="k1")
    replay = pipe.triage(copy.deepcopy(body), delivery_key="k1")
    assert [d.signal_id for d in replay] == [d.signal_id for d in again]


def test_resolve_is_not_a_duplicate(demo_config: OrgConfig) -> None:
    pipe = build_pipeline(config=demo_config)
    labels = {"service": "search-api", "severity": "warning"}
    fired = pipe.triage(am_body("SearchSlow", labels, "slow", "2026-12-01T10:00:00Z", "s1"))[0]
    resolved = pipe.triage(am_body("SearchSlow", labels, "slow", "2026-12-01T10:00:00Z", "s1",
                                   status="resolved"))[0]
    assert fired.kind == "alert"
    assert (resolved.kind, resolved.event_type) == ("event", "informational")
    assert resolved.noise.duplicate_of is None


def test_webhook_with_many_alerts_gives_many_decisions(demo_config: OrgConfig) -> None:
    pipe = build_pipeline(config=demo_config)
    body = am_body("NodeDown", {"instance": "node-7", "severity": "critical"}, "node-7 down",
                   "2026-12-01T11:00:00Z", "n1")
    extra = copy.deepcopy(body["alerts"][0])
    extra["labels"] = {"alertname": "NodeDiskFull", "instance": "node-7", "severity": "warning"}
    extra["fingerprint"] = "n2"
    body["alerts"].append(extra)
    decisions = pipe.triage(body)
    assert [d.fingerprint for d in decisions] == ["n1", "n2"]
    assert decisions[1].noise.suppressed_by is not None  # inhibited by the critical NodeDown
    assert decisions[1].kind == "alert"  # keeps its own kind
    assert all(d.team == "platform" for d in decisions)  # route on ^(Kube|Node).*


def test_decide_finishes_a_run_that_stopped_after_recording(demo_config: OrgConfig,
                                                            tmp_path: Path) -> None:
    from agent.signals.parse import parse_payload

    pipe = build_pipeline(config=demo_config, db_path=tmp_path / "t.db", checkpointer="sqlite")
    body = am_body("HighCPU", {"service": "checkout-api", "severity": "critical"}, "CPU 97%",
                   "2026-12-01T09:15:00Z", "cpu9")
    [signal] = parse_payload(body, received_at=pipe.clock(), new_id=pipe.new_id)
    pipe.store.add_signals([signal])
    config = {"configurable": {"thread_id": signal.signal_id}}
    # a process that died right after the pure decide stage: nothing stored, record never ran
    pipe.graph.invoke({"signal": signal}, config, context=pipe.context, interrupt_after=["decide"])
    assert pipe.graph.get_state(config).next == ("plan_actions",)
    assert pipe.store.get_decision(signal.signal_id) is None
    decision = pipe.decide(signal.signal_id)
    assert decision.kind == "alert"
    assert pipe.store.get_decision(signal.signal_id) == decision
    assert pipe.graph.get_state(config).next == ()


def test_quiet_decisions_skip_planning_and_act(demo_config: OrgConfig) -> None:
    """The graph states the flow: a duplicate goes from decide straight to record."""
    pipe = build_pipeline(config=demo_config)
    body = am_body("KubePodCrashLooping", {"service": "inventory-service", "severity": "warning",
                                           "namespace": "fulfilment"},
                   "Pod is crash looping", "2026-12-01T10:30:00Z", "crash9")
    pipe.triage(body)
    (signal_id,) = pipe.accept(copy.deepcopy(body)).signal_ids
    signal = pipe.store.get_signal(signal_id)
    config = {"configurable": {"thread_id": signal_id}}
    # the graph's own stream of node updates says which stages ran, in order
    ran = [name for update in pipe.graph.stream({"signal": signal}, config, context=pipe.context,
                                                stream_mode="updates") for name in update]
    dup = pipe.decision(signal_id)
    assert dup is not None and dup.noise.duplicate_of is not None
    assert "plan_actions" not in ran and "act" not in ran and "record" in ran
    assert ran == ["normalize", "noise_gate", "retrieve", "classify", "decide", "record"]
