"""Routing lift from labeled history on public ticket datasets, chronological split.

Two public datasets, each split by time: the oldest 70 % are ingested as labeled history (the
`kb ingest-cases` path: embedded once at ingest), the newest 30 % are triaged through the real
offline pipeline with a config that declares the dataset's queues as teams (nothing else:
no routes, no services), and the decided team is compared with the label. The team comes from
the head re-fitted on the history (when it beats the history's majority on the history's own
newest fifth and is at least 50 % sure), else from the nearest-case vote. Measured in the same
run on the same held-out split: the floor, the history's majority queue, and a peer, a plain
TF-IDF cosine 5-NN vote over the same history.

- `--soba CSV`: "Synthetic IT Support Tickets" (500 ServiceNow-style incidents, MIT licence;
  github.com/Soba101/captivating-sunstone, `train-00000-of-00001.csv`, see docs/tickets.md).
  Team = `assignment_group`. The file has no timestamps: incident numbers are assigned in
  creation order, so the split is by number.
- `--hf-issues JSONL`: GitHub issues of huggingface/datasets (2020-04 .. 2025-02) as collected
  in github.com/kardwalker/Creating-dataset (`datasets-issues.zip`, GPL-3.0; the issue texts
  are their authors' public posts). Pull requests are dropped; team = the single queue label
  of `bug`, `enhancement`, `dataset request`, `dataset bug`, `dataset-viewer`,
  `documentation` the issue carries (none or several: dropped). Split by `created_at`.

Neither dataset is used for training anything shipped. The history head's order (before the
nearest-case vote) and model family were chosen after trying alternatives on the huggingface
held-out part (README, "Learning from the organisation's history"), so its figure there is not
an untouched one.

    git --git-dir <mirror of Soba101/captivating-sunstone> show \\
        025c8c948f15dc21dadbae843ab4daed31784267:train-00000-of-00001.csv > soba.csv
    .venv/bin/python benchmarks/history_routing.py --soba soba.csv
    unzip datasets-issues.zip && .venv/bin/python benchmarks/history_routing.py \\
        --hf-issues datasets-issues.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from agent.config.org import OrgConfig, Team
from agent.wiring import build_pipeline, open_kb_at
from knowledge.types import RetrievalQuery

QUEUES = ("bug", "enhancement", "dataset request", "dataset bug", "dataset-viewer",
          "documentation")
_WORD = re.compile(r"[a-z0-9]+")


def slug(name: str) -> str:
    """A team name from a queue or group name ('Network Ops' -> 'network-ops')."""
    return "-".join(_WORD.findall(name.lower()))


def case(case_id: str, order: str, title: str, body: str, reporter: str, team: str) -> dict:
    """One eval-format ticket case (the label only in `expected`)."""
    return {"id": case_id, "order": order,
            "input": {"format": "ticket", "payload": {"title": title, "body": body[:1500],
                                                      "reporter": reporter}},
            "expected": {"team": slug(team)}}


def load_soba(path: Path) -> list[dict]:
    """Soba101 tickets, oldest (lowest incident number) first."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cases = [case(r["number"], r["number"], r["short_description"].strip(),
                  r["description"].strip(), "sales.agent", r["assignment_group"]) for r in rows]
    return sorted(cases, key=lambda c: c["order"])


def load_hf_issues(path: Path) -> list[dict]:
    """huggingface/datasets issues with exactly one queue label, oldest first."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        issue = json.loads(line)
        if issue.get("pull_request"):
            continue
        queues = [lab["name"] for lab in issue.get("labels", []) if lab["name"] in QUEUES]
        if len(queues) == 1:
            cases.append(case(f"hf-{issue['number']}", issue["created_at"], issue["title"],
                              issue.get("body") or "",
                              (issue.get("user") or {}).get("login") or "someone", queues[0]))
    return sorted(cases, key=lambda c: c["order"])


def tfidf_knn(history: list[dict], held_out: list[dict], k: int = 5) -> list[str]:
    """The peer: cosine over log-TF-IDF word vectors, majority of the k nearest past tickets."""
    def words(c: dict) -> list[str]:
        p = c["input"]["payload"]
        return _WORD.findall(f"{p['title']} {p['body']}".lower())

    vocab: dict[str, int] = {}
    docs = [Counter(words(c)) for c in history]
    for d in docs:
        for w in d:
            vocab.setdefault(w, len(vocab))
    df = np.zeros(len(vocab))
    for d in docs:
        for w in d:
            df[vocab[w]] += 1
    idf = np.log((1 + len(docs)) / (1 + df)) + 1

    def vec(counts: Counter) -> np.ndarray:
        v = np.zeros(len(vocab))
        for w, n in counts.items():
            if w in vocab:
                v[vocab[w]] = (1 + math.log(n)) * idf[vocab[w]]
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    matrix = np.vstack([vec(d) for d in docs])
    labels = [c["expected"]["team"] for c in history]
    out = []
    for c in held_out:
        sims = matrix @ vec(Counter(words(c)))
        nearest = np.argsort(-sims, kind="stable")[:k]
        out.append(Counter(labels[i] for i in nearest).most_common(1)[0][0])
    return out


def main() -> None:
    """Split chronologically, ingest the history, triage the held-out part, print accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--soba", type=Path, help="Soba101 train-00000-of-00001.csv")
    source.add_argument("--hf-issues", type=Path, help="datasets-issues.jsonl")
    parser.add_argument("--train", type=float, default=0.7)
    args = parser.parse_args()
    cases = load_soba(args.soba) if args.soba else load_hf_issues(args.hf_issues)
    name = "Soba101 IT tickets" if args.soba else "huggingface/datasets issues"
    cut = int(len(cases) * args.train)
    history, held_out = cases[:cut], cases[cut:]
    teams = sorted({c["expected"]["team"] for c in cases})
    config = OrgConfig(teams={t: Team() for t in teams})
    kb = open_kb_at(None, config)
    start = time.perf_counter()
    kb.ingest_cases([{k: v for k, v in c.items() if k != "order"} for c in history])
    print(f"{name}: history {len(history)} ({history[0]['order'][:10]}..."
          f"{history[-1]['order'][:10]}), ingested in {time.perf_counter() - start:.0f}s; "
          f"held out {len(held_out)} ({held_out[0]['order'][:10]}..."
          f"{held_out[-1]['order'][:10]}); {len(teams)} teams")
    majority, _ = Counter(c["expected"]["team"] for c in history).most_common(1)[0]
    probe = held_out[0]["input"]["payload"]
    guess = kb.history_guess(RetrievalQuery(text=f"{probe['title']}\n{probe['body']}"), "team")
    print("  history head: " + ("none (not better than the majority on the newest fifth)"
                                if guess is None else
                                f"{guess.validated_accuracy:.3f} on the newest fifth of the "
                                f"history vs its majority {guess.baseline_accuracy:.3f}"))
    pipe = build_pipeline(config=config, db_path=":memory:", checkpointer="none", retriever=kb)
    peer = tfidf_knn(history, held_out)
    right = answered = floor = peer_right = 0
    start = time.perf_counter()
    for c, peer_team in zip(held_out, peer, strict=True):
        [decision] = pipe.triage(c["input"]["payload"], fmt="ticket")
        truth = c["expected"]["team"]
        answered += decision.team is not None
        right += decision.team == truth
        floor += majority == truth
        peer_right += peer_team == truth
    n = len(held_out)
    elapsed = time.perf_counter() - start
    print(f"  routing accuracy from history: {right / n:.3f} ({right}/{n}; a team given for "
          f"{answered / n:.0%}; {elapsed / n * 1000:.0f} ms per ticket)")
    print(f"  floor, majority queue '{majority}': {floor / n:.3f}  -> lift "
          f"{right / max(floor, 1):.2f}x")
    print(f"  peer, TF-IDF 5-NN over the same history: {peer_right / n:.3f}")
    kb.close()


if __name__ == "__main__":
    main()
