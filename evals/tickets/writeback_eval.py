"""Write-back eval: Jira-webhook cases through `triage serve`, write-back captured by the stand-in.

Every case's webhook is signed and POSTed to a live service (real HTTP, the same ingest path
as Alertmanager); the decision worker decides it and the outbox writes it back to the Jira
REST v3 stand-in (tests/support/jira_api.py, so run this from a repository checkout). Then the
fields the stand-in holds are checked against the decision (write-back fidelity: priority
name, issue type, labels, exactly one comment) and against the case's expected labels (the
written issue type against `kind`, the written priority against `priority`). A majority-class
floor is measured on the same cases: priority accuracy means little without it.

    python -m evals.tickets.make_jira_cases --git-dir <snapshot of Soba101/captivating-sunstone>
    python -m evals.tickets.writeback_eval [CASES.jsonl] [--out DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from agent.kernel.taxonomy import PRIORITIES
from evals.tickets.make_jira_cases import DATASET, cache_dir

SECRET = "eval-hook-secret"
ISSUE_TYPES = {"incident": "Incident", "request": "Service Request", "alert": "Task",
               "event": "Task"}


def _config(base_url: str) -> Any:
    from agent.config.tickets import TicketsSection

    return TicketsSection.model_validate({"instances": {"support": {
        "system": "jira", "base_url": base_url, "webhook": {"secret_env": "EVAL_JIRA_HOOK"},
        "auth": {"username_env": "EVAL_JIRA_USER", "password_env": "EVAL_JIRA_TOKEN"},
        "mapping": {"issue_type": ISSUE_TYPES}, "max_retries": 2, "timeout_s": 5}}})


def _wait(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def run(cases: list[dict[str, Any]], home: Path) -> dict[str, Any]:
    """Run the cases; return the report."""
    import httpx

    from agent.config.loader import load_config
    from agent.config.settings import Settings
    from agent.service import ServiceOptions, create_app
    from agent.service.ticket_auth import jira_signature
    from agent.wiring import build_pipeline
    from tests.agent.service.conftest import serve_live
    from tests.support.jira_api import JiraStandIn

    jira = JiraStandIn(user="eval@example.com", password="eval-token").start()
    config = load_config(None).model_copy(update={"tickets": _config(jira.base_url)})
    pipeline = build_pipeline(config=config, db_path=home / "triage.db", checkpointer="sqlite")
    settings = Settings(_env_file=None, TRIAGE_HOME=str(home))
    app = create_app(settings, config, pipeline,
                     options=ServiceOptions(scan_interval_s=1.0, orphan_grace_s=0.0))
    app.state.ticket_env = {"EVAL_JIRA_HOOK": SECRET, "EVAL_JIRA_USER": "eval@example.com",
                            "EVAL_JIRA_TOKEN": "eval-token"}
    started = time.perf_counter()
    ids: dict[str, str] = {}
    with serve_live(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        for item in cases:
            body = item["input"]["payload"]
            jira.add_issue(body["issue"])
            raw = json.dumps(body).encode()
            response = client.post("/v1/webhooks/jira", content=raw,
                                   headers={"X-Hub-Signature": jira_signature(SECRET.encode(),
                                                                              raw)})
            response.raise_for_status()
            ids[item["id"]] = response.json()["signal_ids"][0]
        store = app.state.tickets.store
        _wait(lambda: app.state.service.worker.backlog == 0, 600)
        _wait(lambda: set(store.counts()) <= {"done", "parked"} and store.counts(), 600)
        elapsed = time.perf_counter() - started
        outbox = store.counts()
    report = _score(cases, ids, pipeline.store, jira, elapsed, outbox)
    jira.stop()
    return report


def _score(cases: list[dict[str, Any]], ids: dict[str, str], store: Any, jira: Any,
           elapsed: float, outbox: dict[str, int]) -> dict[str, Any]:
    names = {"P1": "Highest", "P2": "High", "P3": "Medium", "P4": "Low", "P5": "Lowest"}
    per_case, faithful, kind_ok, prio_ok, within = [], 0, 0, 0, 0
    comments_total = 0
    expected_prios = Counter(c["expected"]["priority"] for c in cases)
    majority, majority_n = expected_prios.most_common(1)[0]
    for item in cases:
        decision = store.get_decision(ids[item["id"]])
        key = item["input"]["payload"]["issue"]["key"]
        fields = jira.issues[key]["fields"]
        comments = jira.comment_texts(key)
        comments_total += len(comments)
        written_priority = fields["priority"]["name"]
        written_type = fields["issuetype"]["name"]
        ok = (decision is not None and written_priority == names[decision.priority]
              and written_type == ISSUE_TYPES[decision.kind] and len(comments) == 1
              and f"triage-{decision.kind}" in fields["labels"])
        faithful += ok
        want = item["expected"]
        kind_ok += written_type == ISSUE_TYPES[want["kind"]]
        got_p = next((p for p, n in names.items() if n == written_priority), None)
        prio_ok += got_p == want["priority"]
        if got_p is not None:
            within += abs(PRIORITIES.index(got_p) - PRIORITIES.index(want["priority"])) <= 1
        per_case.append({"id": item["id"], "ticket": key, "written": {
            "priority": written_priority, "issuetype": written_type, "labels": fields["labels"],
            "comments": len(comments)}, "decision": {"kind": decision.kind if decision else None,
                                                   "priority": decision.priority if decision
                                                   else None}, "expected": want, "faithful": ok})
    n = len(cases)
    return {"dataset": {**DATASET, "cases": n}, "cases": n, "metrics": {
        "writeback_fidelity": faithful / n, "written_kind_accuracy": kind_ok / n,
        "written_priority_accuracy": prio_ok / n, "written_priority_within_one": within / n,
        "priority_majority_floor": majority_n / n, "priority_majority_class": majority,
        "comments_per_ticket": comments_total / n, "outbox": outbox,
        "wall_s": round(elapsed, 1), "tickets_per_s": round(n / elapsed, 2),
        "jira_calls": len(jira.requests)}, "per_case": per_case}


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=cache_dir() / "cases.jsonl")
    parser.add_argument("--out", type=Path, default=Path("out/eval-tickets"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text().splitlines() if line.strip()]
    cases = cases[: args.limit] if args.limit else cases
    with tempfile.TemporaryDirectory() as home:
        report = run(cases, Path(home))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    metrics = report["metrics"]
    for key, value in metrics.items():
        line = f"  {key:30} {value:.3f}" if isinstance(value, float) else f"  {key:30} {value}"
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"report: {args.out / 'report.json'}\n")


if __name__ == "__main__":
    main()
