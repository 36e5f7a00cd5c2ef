"""The history head: re-fitted on labeled past cases, offered only when it beats the majority."""

from __future__ import annotations

import numpy as np

from agent.signals.cases import parse_case_input
from knowledge.base import KnowledgeBase
from knowledge.case_model import MIN_CASES, fit_label_head
from knowledge.embedder import OnnxEmbedder
from knowledge.types import RetrievalQuery


def _clusters(n: int, seed: int = 7) -> tuple[np.ndarray, list[str | None]]:
    """Unit vectors around three centres, the label saying which centre."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16))
    labels = [("db", "web", "net")[i % 3] for i in range(n)]
    rows = np.vstack([centres[i % 3] + 0.6 * rng.normal(size=16) for i in range(n)])
    return rows / np.linalg.norm(rows, axis=1, keepdims=True), labels  # type: ignore[return-value]


def test_a_learnable_label_gets_a_calibrated_head_that_beats_the_majority() -> None:
    matrix, labels = _clusters(120)
    head = fit_label_head("team", matrix, labels)
    assert head is not None and head.values == ("db", "net", "web")
    assert head.validated_accuracy > head.baseline_accuracy
    guesses = [head.guess(matrix[i]) for i in range(3)]
    for guess, truth in zip(guesses, labels[:3], strict=True):
        assert abs(sum(guess.probabilities.values()) - 1) < 1e-9
        assert max(guess.probabilities, key=guess.probabilities.get) == truth  # type: ignore[arg-type]
    assert guesses[0].cases == 120


def test_a_label_the_vectors_do_not_predict_gets_no_head() -> None:
    matrix, _ = _clusters(120)
    rng = np.random.default_rng(3)
    noise: list[str | None] = [str(v) for v in rng.choice(["a", "b"], size=120, p=[0.8, 0.2])]
    assert fit_label_head("team", matrix, noise) is None


def test_too_little_history_or_one_value_gets_no_head() -> None:
    matrix, labels = _clusters(MIN_CASES - 1)
    assert fit_label_head("team", matrix, labels) is None
    matrix, _ = _clusters(90)
    assert fit_label_head("team", matrix, ["db"] * 90) is None
    unlabeled: list[str | None] = [None] * 90
    assert fit_label_head("team", matrix, unlabeled) is None


def _ticket(i: int, text: str, team: str) -> dict:
    return {"id": f"t-{i}", "input": {"format": "ticket", "payload": {
        "title": text, "body": f"{text}. Reported by the service desk.", "reporter": "desk"}},
        "expected": {"kind": "incident", "team": team}}


TOPICS = {
    "network": ["VPN tunnel drops every hour", "Wi-Fi on floor 3 keeps disconnecting",
                "Firewall blocks the partner SFTP", "DNS lookups time out from the office",
                "Switch port flapping in rack 12", "Packet loss on the branch uplink"],
    "payments": ["Card payments declined at checkout", "Refund stuck in pending state",
                 "3-D Secure challenge never returns", "Invoice totals wrong after discount",
                 "Payout file rejected by the bank", "Double charge on a customer card"],
    "data": ["Nightly warehouse load failed", "Dashboard shows stale revenue numbers",
             "ETL job stuck on the orders table", "Replica lag on the analytics database",
             "Report export times out", "Data lake partition missing for yesterday"],
}


def test_the_knowledge_base_refits_its_head_when_history_grows(tmp_path,
                                                               embedder: OnnxEmbedder) -> None:
    kb = KnowledgeBase.open(tmp_path / "home", embedder=embedder)
    kb.case_parser = parse_case_input
    query = RetrievalQuery(text="our VPN connection dropped again this morning")
    assert kb.history_guess(query, "team") is None  # no history at all
    rows = [(text, team) for _ in range(3) for team, texts in TOPICS.items() for text in texts]
    cases = [_ticket(i, text, team) for i, (text, team) in enumerate(rows)]
    kb.ingest_cases(cases[:12])
    assert kb.history_guess(query, "team") is None  # fewer than MIN_CASES
    kb.ingest_cases(cases[12:])
    guess = kb.history_guess(query, "team")
    assert guess is not None and guess.cases == len(cases)
    assert max(guess.probabilities, key=guess.probabilities.get) == "network"  # type: ignore[arg-type]
    assert guess.validated_accuracy > guess.baseline_accuracy
    kb.close()
