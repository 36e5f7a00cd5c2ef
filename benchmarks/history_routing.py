"""Routing lift from labeled history on a public ticket dataset, chronological split.

Dataset: GitHub issues of huggingface/datasets (2020-04 .. 2025-02), as collected in
github.com/kardwalker/Creating-dataset (`datasets-issues.zip`, repository licence GPL-3.0; the
issue texts are their authors' public GitHub posts). Pull requests are dropped. The routing
label ("team") is the issue's queue label as maintainers set it: the single one of
`bug`, `enhancement`, `dataset request`, `dataset bug`, `dataset-viewer`, `documentation`
that the issue carries (issues with none or several are dropped). Not used anywhere else.

The oldest 70 % (by created_at) are ingested as history (`kb ingest-cases` path); the newest
30 % are triaged through the real offline pipeline with a config that declares the queues as
teams, and the decided team is compared with the label. The floor is the majority queue of
the history, measured on the same held-out split.

    unzip datasets-issues.zip   # from the repository above
    .venv/bin/python benchmarks/history_routing.py datasets-issues.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from agent.config.org import OrgConfig, Team
from agent.wiring import build_pipeline, open_kb_at

QUEUES = ("bug", "enhancement", "dataset request", "dataset bug", "dataset-viewer",
          "documentation")


def load(path: Path) -> list[dict]:
    """Issues with exactly one queue label, oldest first, as eval-format cases."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        issue = json.loads(line)
        if issue.get("pull_request"):
            continue
        queues = [lab["name"] for lab in issue.get("labels", []) if lab["name"] in QUEUES]
        if len(queues) != 1:
            continue
        team = queues[0].replace(" ", "-")
        payload = {"title": issue["title"], "body": (issue.get("body") or "")[:1500],
                   "reporter": (issue.get("user") or {}).get("login") or "someone",
                   "created_at": issue["created_at"]}
        cases.append({"id": f"hf-{issue['number']}", "created_at": issue["created_at"],
                      "input": {"format": "ticket", "payload": payload},
                      "expected": {"team": team}})
    return sorted(cases, key=lambda c: c["created_at"])


def main() -> None:
    """Split chronologically, ingest the history, triage the held-out part, print accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("issues", type=Path)
    parser.add_argument("--train", type=float, default=0.7)
    args = parser.parse_args()
    cases = load(args.issues)
    cut = int(len(cases) * args.train)
    history, held_out = cases[:cut], cases[cut:]
    teams = sorted({c["expected"]["team"] for c in cases})
    config = OrgConfig(teams={t: Team() for t in teams})
    kb = open_kb_at(None, config)
    start = time.perf_counter()
    kb.ingest_cases(history)
    print(f"history {len(history)} issues ({history[0]['created_at'][:10]}.."
          f"{history[-1]['created_at'][:10]}), ingested in {time.perf_counter() - start:.0f}s; "
          f"held out {len(held_out)} ({held_out[0]['created_at'][:10]}.."
          f"{held_out[-1]['created_at'][:10]})")
    majority, _ = Counter(c["expected"]["team"] for c in history).most_common(1)[0]
    pipe = build_pipeline(config=config, db_path=":memory:", checkpointer="none", retriever=kb)
    right = answered = floor = 0
    for case in held_out:
        [decision] = pipe.triage(case["input"]["payload"], fmt="ticket")
        truth = case["expected"]["team"]
        answered += decision.team is not None
        right += decision.team == truth
        floor += majority == truth
    n = len(held_out)
    print(f"routing accuracy from history: {right / n:.3f} ({right}/{n}; a team given for "
          f"{answered / n:.0%}); majority class '{majority}': {floor / n:.3f}; "
          f"lift {right / max(floor, 1):.2f}x")
    kb.close()


if __name__ == "__main__":
    main()
