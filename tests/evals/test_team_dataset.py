"""The committed Acme Shop dataset: coverage, rationales, config, and reproducible generation."""

from __future__ import annotations

import json
from pathlib import Path

from agent.config import load_config
from agent.kernel.taxonomy import EVENT_TYPES, KINDS, PRIORITIES, SOURCES
from evals.dataset import load_dataset
from evals.datasets.build_team_dataset import build

TEAM = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "team"


def test_coverage_of_formats_and_classes():
    cases = load_dataset(TEAM / "cases.jsonl")
    assert len(cases) >= 300
    assert {c.input.format for c in cases} == set(SOURCES)
    assert {c.expected.kind for c in cases} >= set(KINDS)
    assert {c.expected.event_type for c in cases} >= set(EVENT_TYPES)
    assert {c.expected.priority for c in cases} >= set(PRIORITIES)
    assert {c.expected.security for c in cases} >= {True, False}
    tags = {t for c in cases for t in c.tags}
    assert tags >= {"escalation", "duplicate", "maintenance", "security", "request", "tricky",
                    "adversarial"}
    adversarial = [c for c in cases if "adversarial" in c.tags]
    assert adversarial and all("action" in c.expected.carried() for c in adversarial)
    assert all(c.expected.security is not True for c in cases if c.expected.kind == "request")


def test_history_overlaps_and_every_case_has_a_rationale():
    cases = load_dataset(TEAM / "cases.jsonl")
    history = load_dataset(TEAM / "history.jsonl")
    assert len(history) >= 100
    assert not {c.id for c in cases} & {h.id for h in history}
    teams = {c.expected.team for c in cases} - {None}
    assert len(teams & {h.expected.team for h in history}) >= 6
    rationales = [json.loads(x) for x in (TEAM / "rationales.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r["rationale"] for r in rationales}
    assert all(by_id.get(c.id) for c in cases + history)


def test_config_loads_with_the_acme_catalog():
    cfg = load_config(TEAM / "config.yaml")
    assert cfg.services["checkout-api"].team == "payments" and cfg.security_team == "secops"
    assert len(cfg.services) == 12 and len(cfg.maintenance) == 3
    assert set(cfg.thresholds) == {"cpu_usage_percent", "memory_used_percent",
                                   "disk_used_percent", "http_error_rate_percent",
                                   "p99_latency_ms", "queue_depth"}


def test_builder_is_seeded_and_matches_committed_files(tmp_path):
    build(tmp_path)
    for name in ("cases.jsonl", "history.jsonl", "rationales.jsonl"):
        assert (tmp_path / name).read_text() == (TEAM / name).read_text(), name


def test_expected_runbooks_exist_in_the_bundled_corpus():
    corpus = TEAM.parents[2] / "knowledge" / "corpus" / "runbooks"
    docs = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md")}
    wanted = {c.expected.runbook for c in load_dataset(TEAM / "cases.jsonl")} - {None}
    assert len(wanted) >= 15 and wanted <= docs
