"""Render the model card (weights/MODEL_CARD.md) from the JSON card `train` writes."""

from __future__ import annotations

from typing import Any


def render_card(card: dict[str, Any]) -> str:
    """Markdown: what each head decides, its data, its held-out figures, the weights' digest."""
    w = card["weights"]
    lines = [
        f"# Triage learned heads — model card (version {card['version']})", "",
        "Multinomial logistic regression per head over the 384-d all-MiniLM-L6-v2 (int8 ONNX)",
        "embedding of the signal text (alert name split into words, title, body; first 600",
        "characters), hashed word and word-pair counts (4,096 buckets) and a few structured",
        "features (source one-hot, label count, text length, digit and upper-case shares).",
        "Probabilities are",
        "temperature-scaled on a held-out calibration split (the severity head: on",
        "predictions for rule collections it was not fitted on). Inference is numpy only.", "",
        f"Weights: `{w['file']}`, {w['bytes']} bytes, sha256 `{w['sha256']}`.", "",
        "Corpus: `agent/learning/corpus/MANIFEST.md` (sources, licences, label derivation).", "",
        "| head | classes | train n | test n | test accuracy | majority | macro-F1 | ECE | T |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, h in card["heads"].items():
        t = h["test_split"]
        lines.append(f"| {name} | {', '.join(h['classes'])} | {h['train']['n']} | {t.get('n')} "
                     f"| {t.get('accuracy')} | {t.get('majority_accuracy')} | "
                     f"{t.get('macro_f1')} | {t.get('ece')} | {h['temperature']} |")
    lines += ["", "Test split: groups (mixin, loghub template, detection-rule folder) hashed to",
              "70 % train / 15 % calibration / 15 % test; no group is on two sides.", "",
              "Intended use: the offline reasoner's severity of notifications without a sender",
              "severity, log-line event_type, and security relevance. Not for: urgency, requests",
              "vs incidents in human text (no vetted public data yet), confirmed violations.",
              "The notice head (does a no-severity notification report a problem at all)",
              "decides only where the severity words find nothing (its `notice.fallback` row),",
              "calling a problem from the threshold in that row's note (chosen for balanced",
              "accuracy: 86 % of its corpus are problems, which says what was available, not",
              "what arrives); a problem it finds is a warning, with confidence P(problem) × the",
              "share of warnings among such problems in the rule corpus"
              + (f" ({card['condition_warning_share']})." if "condition_warning_share" in card
                 else "."),
              "Known weakness: plain action reports (a config reload, a node joining) score",
              "below the threshold but not far below (README \"Learned judgement\").", ""]
    if rc := card.get("rule_calibration"):
        lines += ["## Rule confidence calibration", "",
                  "Rule decisions take their rule's smoothed accuracy on the corpus train and",
                  "calibration splits (`rule_calibration.json`, one bin per rule and per rule +",
                  "first evidence,",
                  f"≥ 30 decisions). Test split: {rc['n']} decisions, ECE {rc['ece_fixed']} with",
                  f"the fixed constants → {rc['ece_calibrated']} calibrated.", ""]
    chosen = card.get("promoted", [])
    lines += ["## Promotion", "",
              "A head decides at its call site only when it beat both the majority class and the",
              "previous rules on a source it never saw (table below); otherwise the reasoner",
              f"keeps its rule. Promoted in this build: {', '.join(chosen) or 'none'}.", ""]
    if card.get("cross_source"):
        lines += ["## Cross-source (trained on A, tested on unseen B)", "",
                  "Majority: the majority class of the training sources; test majority: of the",
                  "unseen source itself (an oracle baseline).", "",
                  "| head | held out | test n | model | majority | test majority | previous rules "
                  "| ECE |", "|---|---|---|---|---|---|---|---|"]
        for r in card["cross_source"]:
            note = r["note"] + (f"; held back: {r['held_back']}" if r.get("held_back") else
                                "; evidence only, never promoted"
                                if r.get("promotable", True) is False else "")
            lines.append(f"| {r['head']} | {note} | {r['test_n']} | {r['model_accuracy']} "
                         f"| {r['majority_accuracy']} | {r.get('test_majority_accuracy')} "
                         f"| {r.get('rules_accuracy')} | "
                         f"{r['model_ece']} |")
        lines.append("")
    return "\n".join(lines)
