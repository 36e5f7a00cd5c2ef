"""Service resolution (CONTRACTS §7): structured fields first, then clear text references."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.catalog import description_terms, fallback_service, structured_service, text_service
from agent.config.org import OrgConfig, ServiceEntry
from agent.kernel.signal import Signal
from agent.wiring import build_pipeline

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CATALOG = OrgConfig(services={
    "sso": ServiceEntry(team="identity", description="Okta single sign-on for staff"),
    "storefront": ServiceEntry(team="web", description="shop.example.com web shop"),
    "ledger": ServiceEntry(team="finance", description="PostgreSQL ledger on db-ledger-01"),
    "billing": ServiceEntry(team="finance", description="invoices in PostgreSQL"),
    "payment-gateway": ServiceEntry(team="payments", description="card processor bridge"),
})


def sig(**over) -> Signal:
    base = {"signal_id": "s", "source": "alertmanager", "fingerprint": "f", "timestamp": T0,
            "received_at": T0}
    return Signal(**{**base, **over})


def test_description_terms_are_distinctive_and_unique() -> None:
    terms = description_terms(CATALOG)
    assert terms["okta"] == "sso" and terms["shop.example.com"] == "storefront"
    assert terms["db-ledger-01"] == "ledger"
    assert "postgresql" not in terms  # two services mention it: not distinctive
    assert "card" not in terms and "staff" not in terms  # ordinary words identify nothing


def test_text_refers_by_description_term() -> None:
    assert text_service("Okta push notifications never arrive", CATALOG) == "sso"
    assert text_service("shop.example.com shows a blank page", CATALOG) == "storefront"
    assert text_service("disk alarms on db-ledger-01 again", CATALOG) == "ledger"
    assert text_service("the storefront is down; Okta fine", CATALOG) == "storefront"  # names win
    assert text_service("something unrelated", CATALOG) is None


def test_known_custom_details_service_beats_unknown_component() -> None:
    s = sig(source="pagerduty", service="pg-primary-7", labels={"component": "pg-primary-7"},
            annotations={"service": "ledger"})
    assert structured_service(s, CATALOG) == "ledger"


def test_first_structured_field_naming_a_catalog_service_wins() -> None:
    s = sig(labels={"service": "unknown-svc", "app": "billing", "namespace": "ledger"})
    assert structured_service(s, CATALOG) == "billing"


def test_kube_prometheus_label_sets_yield_a_service() -> None:
    crash = sig(labels={"alertname": "KubePodCrashLooping", "namespace": "monitoring",
                        "pod": "alertmanager-main-0", "container": "alertmanager",
                        "job": "kube-state-metrics",
                        "service": "prometheus-kube-state-metrics"})
    assert fallback_service(crash) == "alertmanager"  # not the exporter reporting on it
    deploy = sig(labels={"alertname": "KubeDeploymentReplicasMismatch", "namespace": "shop",
                         "pod": "cart-7d9f8b6c5d-x2x9q", "job": "kube-state-metrics"})
    assert fallback_service(deploy) == "cart"
    api = sig(labels={"alertname": "KubeAPIErrorBudgetBurn", "job": "apiserver"})
    assert fallback_service(api) == "apiserver"
    node = sig(labels={"alertname": "NodeFilesystemAlmostFull", "job": "node-exporter",
                       "namespace": "monitoring"})
    assert fallback_service(node) == "monitoring"


def test_pipeline_prefers_text_catalog_service_over_unknown_structured_value() -> None:
    pipe = build_pipeline(config=CATALOG, db_path=":memory:", checkpointer="none",
                          clock=lambda: T0)
    body = {"event_action": "trigger", "routing_key": "r", "payload": {
        "summary": "Okta sign-in failures for staff", "source": "mon-1", "severity": "error",
        "component": "idp-edge-3"}}
    [d] = pipe.triage(body, fmt="pagerduty")
    assert (d.service, d.team) == ("sso", "identity")
    unknown = {**body, "payload": {**body["payload"], "summary": "disk almost full"}}
    [u] = pipe.triage(unknown, fmt="pagerduty")
    assert u.service == "idp-edge-3" and u.team is None
