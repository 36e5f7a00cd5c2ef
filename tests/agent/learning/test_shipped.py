"""The shipped heads: present as package data, small, described by their model card."""

from __future__ import annotations

import hashlib
import json

from agent.learning.model import WEIGHTS, load_heads


def test_shipped_weights_match_their_card():
    card = json.loads((WEIGHTS.parent / "model_card.json").read_text())
    assert card["weights"]["sha256"] == hashlib.sha256(WEIGHTS.read_bytes()).hexdigest()
    assert WEIGHTS.stat().st_size < 20 * 1024 * 1024
    heads, _ = load_heads()
    assert {"severity", "log", "security"} <= set(heads)
    for name, head in heads.items():
        assert head.weights.shape == (head.mean.shape[0], len(head.classes)), name
        assert head.temperature > 0
