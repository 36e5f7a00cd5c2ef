"""The notice head at its call site: it decides only where the severity words find nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.config.org import OrgConfig
from agent.kernel.signal import Signal
from agent.learning.corpus.records import Example, write_jsonl
from agent.learning.judge import LearnedJudge
from agent.learning.model import load_heads
from agent.learning.train import train
from agent.noise.types import NoiseOutcome
from agent.reasoning.offline import OfflineReasoner
from agent.reasoning.signal_rules import NO_WORDING, inferred_severity, text_of
from agent.reasoning.types import Evidence, Judgement
from agent.signals.parse import parse_payload
from knowledge.embedder import default_embedder

pytest.importorskip("sklearn")

THINGS = ["postgres", "redis", "kafka", "etcd", "nginx", "consul", "vault", "ceph"]
SOURCES = ["org/events", "logpai/loghub:HDFS", "logpai/loghub:Spark"]
PROBLEM = ("refuses connections", "is stuck")
NOTICE = ("scaled up to 3 replicas", "leader elected")
SHARE = 0.5  # warnings among problems, as the training run would record it


def _payload(summary: str, severity: str | None = None) -> dict:
    labels = {"alertname": "Rule", **({"severity": severity} if severity else {})}
    alert = {"status": "firing", "labels": labels, "annotations": {"summary": summary},
             "startsAt": "2026-11-20T08:00:00Z"}
    return {"version": "4", "status": "firing", "alerts": [alert]}


def _signal(summary: str, severity: str | None = None) -> Signal:
    return parse_payload(_payload(summary, severity), "alertmanager",
                         received_at=datetime(2026, 12, 1, tzinfo=UTC), new_id=lambda: "s1")[0]


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory) -> LearnedJudge:
    """A notice head trained on a tiny separable sample, enabled as a promoted build would be."""
    root: Path = tmp_path_factory.mktemp("notice")
    examples = [Example("notice", label, src, f"{src}:{thing} {verb}", "alertmanager",
                        _payload(f"{thing} {verb}"))
                for label, verbs in (("condition", PROBLEM), ("notice", NOTICE))
                for src in SOURCES for thing in THINGS for verb in verbs]
    write_jsonl(root / "cache" / "notice.jsonl", examples)
    train(root / "cache", default_embedder(), root / "h.npz")
    heads, _ = load_heads(root / "h.npz")
    return LearnedJudge(heads, {"promoted": ["notice"], "condition_warning_share": SHARE},
                        default_embedder())


def _judge(judge: LearnedJudge, sig: Signal) -> Judgement:
    return OfflineReasoner(judge).judge(Evidence(signal=sig, config=OrgConfig(),
                                                 noise=NoiseOutcome(group_id="g")))


def test_a_problem_the_words_miss_is_a_warning_with_a_discounted_confidence(judge):
    sig = _signal("zookeeper refuses connections")
    assert inferred_severity(text_of(sig))[2] == NO_WORDING  # the words find nothing here
    verdict = _judge(judge, sig)
    p = judge.predict("notice", sig)
    assert p is not None and p.label == "condition"
    assert (verdict.kind, verdict.event_type) == ("alert", "warning")
    assert verdict.rule.startswith("notice model")
    assert verdict.confidence == pytest.approx(p.probabilities["condition"] * SHARE)


def test_a_plain_notice_stays_info_level(judge):
    verdict = _judge(judge, _signal("zookeeper leader elected"))
    assert (verdict.kind, verdict.event_type) == ("event", "informational")
    assert verdict.rule.startswith("notice model") and verdict.confidence > 0.5


@pytest.mark.parametrize(("summary", "severity", "expected", "rule"), [
    ("zookeeper refuses connections", "critical", "exception", "sender severity"),
    ("mysql is down", None, "exception", "inferred severity"),
])
def test_the_head_never_overrides_a_sender_severity_or_the_words(judge, summary, severity,
                                                                   expected, rule):
    verdict = _judge(judge, _signal(summary, severity))
    assert verdict.event_type == expected and verdict.rule.startswith(rule)


def test_without_the_head_promoted_the_rules_keep_their_default(judge):
    held = LearnedJudge(judge.heads, {"promoted": []}, default_embedder())
    verdict = _judge(held, _signal("zookeeper refuses connections"))
    assert verdict.event_type == "informational" and verdict.rule.startswith("inferred severity")


def test_the_trained_threshold_decides_where_a_problem_starts(judge):
    sig = _signal("zookeeper refuses connections")
    p = judge.predict("notice", sig).probabilities["condition"]
    strict = LearnedJudge(judge.heads, {**judge.meta, "thresholds": {"notice": p + 1e-6}},
                          default_embedder())
    verdict = _judge(strict, sig)
    assert (verdict.kind, verdict.event_type) == ("event", "informational")
    assert verdict.rule.startswith("notice model")
    assert verdict.confidence == pytest.approx(1.0 - p)
