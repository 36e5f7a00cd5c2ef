"""Hybrid search: exact names, free text, filters, metadata; similar past cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.signals.cases import parse_case_input
from knowledge.base import KnowledgeBase
from knowledge.types import RetrievalQuery

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("search")
    shutil.copytree(FIXTURES / "runbooks", root / "runbooks")
    base = KnowledgeBase.open(root / "home", embedder=embedder)
    base.ingest_path(root / "runbooks")
    return base


def test_alert_name_in_terms_wins(kb: KnowledgeBase) -> None:
    query = RetrievalQuery("something odd", terms=("KubePodCrashLooping",),
                           labels={"alertname": "KubePodCrashLooping"})
    hits = kb.search(query, k=3)
    assert hits[0].id == "kubernetes/KubePodCrashLooping.md"
    assert "name" in hits[0].metadata["match"]
    assert hits[0].metadata["actions"][1]["tool"] == "kubectl_rollout_restart"
    assert all(h.kind == "runbook" for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_free_text_finds_the_right_document(kb: KnowledgeBase) -> None:
    hits = kb.search(RetrievalQuery("the disk is nearly full and writes fail"), k=2)
    assert hits[0].id == "disk.md"
    assert hits[0].snippet
    vpn = kb.search(RetrievalQuery("vpn tunnel keeps dropping"), k=1)
    assert vpn[0].id == "notes.txt"


def test_kind_and_service_filters(kb: KnowledgeBase) -> None:
    pm = kb.search(RetrievalQuery("database ran out of connections"), k=3, kind="postmortem")
    assert [h.id for h in pm] == ["postmortems/2026-01-outage.md"]
    only = kb.search(RetrievalQuery("restart"), k=5, kind=None, service="orders-db")
    assert [h.id for h in only] == ["disk.md"]


def test_folder_index_is_not_preferred(kb: KnowledgeBase) -> None:
    hits = kb.search(RetrievalQuery("kubernetes", terms=("kubernetes",)), k=2)
    assert hits[0].id == "kubernetes/KubePodCrashLooping.md"


def test_empty_query_returns_nothing(kb: KnowledgeBase) -> None:
    assert kb.search(RetrievalQuery("   "), k=3) == []


def test_similar_cases_returns_labels(make_kb) -> None:
    kb = make_kb()
    cases = [
        {"id": "c1", "input": {"format": "generic", "payload": {
            "title": "Checkout error rate above 5%", "service": "checkout-api"}},
         "expected": {"kind": "incident", "team": "payments", "priority": "P1"}},
        {"id": "c2", "input": {"format": "ticket", "payload": {
            "title": "Need access to the finance share", "body": "for month end"}},
         "expected": {"kind": "request", "team": "it"}},
    ]
    assert kb.ingest_cases(cases, parse=parse_case_input) == 2
    hits = kb.similar_cases(RetrievalQuery("checkout errors are high for customers"), k=2)
    assert hits[0].id == "c1"
    assert hits[0].labels["team"] == "payments"
    assert hits[0].score > hits[1].score
    assert kb.stats()["cases"] == 2


def test_ingest_cases_needs_a_parser(make_kb) -> None:
    with pytest.raises(ValueError, match="no case parser"):
        make_kb().ingest_cases([{"id": "c", "input": {"format": "generic",
                                                       "payload": {"title": "x"}}}])


def test_similar_cases_empty_kb(make_kb) -> None:
    assert make_kb().similar_cases(RetrievalQuery("anything"), k=3) == []


def test_similar_cases_prefers_agreeing_labels(make_kb) -> None:
    kb = make_kb()
    kb.add_case_record({"id": "a", "text": "latency high on api", "labels": {"team": "web"},
                        "signal_labels": {"alertname": "SearchLatencyHigh"}})
    kb.add_case_record({"id": "b", "text": "latency high on api", "labels": {"team": "payments"},
                        "signal_labels": {"alertname": "CheckoutLatencySLOBurn"}})
    query = RetrievalQuery("latency high on api", labels={"alertname": "CheckoutLatencySLOBurn"})
    hits = kb.similar_cases(query, k=2)
    assert [h.id for h in hits] == ["b", "a"]
    assert hits[0].labels == {"team": "payments"}
