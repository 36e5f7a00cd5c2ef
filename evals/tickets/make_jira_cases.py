"""Generate Jira-webhook eval cases from a public labeled IT ticket dataset (kept outside the repo).

Dataset: "Synthetic IT Support Tickets" (500 ServiceNow-style incident records: number,
short_description, description, urgency, impact, category, assignment_group, resolution),
github.com/Soba101/captivating-sunstone, file `train-00000-of-00001.csv`, licence MIT (its
dataset card). Labels were written by the dataset's author; urgency and impact are ServiceNow
codes (1 high, 2 medium, 3 low). It is neither the Endava/karolzak support-tickets set nor the
Automatic Ticket Assignment capstone set, and nothing here trains on it: it is eval data only.

Each row becomes one CONTRACTS §5 case whose input is a Jira Cloud `jira:issue_created` webhook
carrying only what a reporter writes (summary, description, reporter, created; created times a
day apart so unrelated tickets never share a correlation window). Expected labels: `kind`
incident (every row is an incident record) and `priority` from the dataset's impact × urgency
with the ITIL matrix. The labels are never put into the input.

    python -m evals.tickets.make_jira_cases --git-dir <bare clone of Soba101/captivating-sunstone>
    python -m evals.tickets.make_jira_cases --csv path/to/train-00000-of-00001.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.kernel.taxonomy import priority_for

DATASET = {"name": "Synthetic IT Support Tickets", "licence": "MIT",
           "source": "https://github.com/Soba101/captivating-sunstone",
           "file": "train-00000-of-00001.csv",
           "commit": "025c8c948f15dc21dadbae843ab4daed31784267"}
LEVELS = {"1": "high", "2": "medium", "3": "low"}
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def cache_dir() -> Path:
    """Where generated cases live: $TRIAGE_EVAL_CACHE, else the XDG cache folder."""
    base = os.environ.get("TRIAGE_EVAL_CACHE") or os.environ.get("XDG_CACHE_HOME") \
        or str(Path.home() / ".cache")
    return Path(base) / "triage" / "eval-tickets"


def read_rows(csv_path: Path | None, git_dir: Path | None) -> list[dict[str, str]]:
    """The dataset rows, from a CSV file or from a git snapshot at the pinned commit."""
    if csv_path is not None:
        text = csv_path.read_text(encoding="utf-8")
    elif git_dir is not None:
        text = subprocess.run(["git", "--git-dir", str(git_dir), "show",
                               f"{DATASET['commit']}:{DATASET['file']}"], check=True,
                              capture_output=True, text=True).stdout
    else:
        raise SystemExit("give --csv or --git-dir")
    return list(csv.DictReader(io.StringIO(text)))


def jira_body(row: dict[str, str], index: int) -> dict[str, Any]:
    """A Jira Cloud issue-created webhook for one row (no label leaks into it)."""
    created = (BASE + timedelta(days=index)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    key = f"SUP-{index + 1}"
    return {
        "timestamp": int((BASE + timedelta(days=index)).timestamp() * 1000),
        "webhookEvent": "jira:issue_created", "issue_event_type_name": "issue_created",
        "user": {"accountId": "reporter-1", "emailAddress": "sales.agent@example.com"},
        "issue": {"id": str(20000 + index), "key": key,
                  "self": f"https://support.example.atlassian.net/rest/api/3/issue/{key}",
                  "fields": {
                      "summary": row["short_description"].strip(),
                      "description": {"type": "doc", "version": 1, "content": [
                          {"type": "paragraph", "content": [
                              {"type": "text", "text": row["description"].strip()}]}]},
                      "issuetype": {"id": "10002", "name": "Task"},
                      "priority": {"id": "3", "name": "Medium"},  # Jira's default, not a label
                      "status": {"name": "Open", "statusCategory": {"key": "new"}},
                      "reporter": {"accountId": "reporter-1",
                                   "emailAddress": "sales.agent@example.com"},
                      "labels": [], "components": [],
                      "project": {"id": "10000", "key": "SUP", "name": "Support"},
                      "created": created, "updated": created}}}


def case(row: dict[str, str], index: int) -> dict[str, Any]:
    """One eval case."""
    impact, urgency = LEVELS[row["impact"].strip()], LEVELS[row["urgency"].strip()]
    return {"id": row["number"].strip() or f"row-{index}",
            "input": {"format": "jira", "payload": jira_body(row, index)},
            "expected": {"kind": "incident", "priority": priority_for(impact, urgency)},
            "tags": ["synthetic-it-tickets", row["category"].strip().lower(),
                     "group:" + row["assignment_group"].strip()]}


def main() -> None:
    """Write cases.jsonl and dataset.json into the cache folder (or --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--git-dir", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = read_rows(args.csv, args.git_dir)
    out = args.out or cache_dir()
    out.mkdir(parents=True, exist_ok=True)
    cases = [case(row, i) for i, row in enumerate(rows)]
    with (out / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for item in cases:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    (out / "dataset.json").write_text(json.dumps({**DATASET, "cases": len(cases)}, indent=2))
    sys.stdout.write(f"{len(cases)} cases → {out / 'cases.jsonl'}\n")


if __name__ == "__main__":
    main()
