"""`triage kb …` and `triage learn`: feed, inspect and review the knowledge base."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.options import ConfigOpt, HomeOpt, fail, resolve_config, resolve_settings
from agent.cli.progress import progress_bar, spinner

app = typer.Typer(help="Inspect and feed the knowledge base.", no_args_is_help=True)
review_app = typer.Typer(help="Review quarantined learnings (list, approve, reject).",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output.")]
ByOpt = Annotated[str, typer.Option("--by", "--author", help="Who does this (provenance).")]


def _open(home: Path | None, config: Path | None):  # -> KnowledgeBase (lazy import)
    from agent.wiring import open_kb

    settings = resolve_settings(home=home, config=config)
    return open_kb(settings, resolve_config(settings)), settings


@app.command("ingest")
def ingest(paths: Annotated[list[Path], typer.Argument(help="Folders or files.")],
           kind: Annotated[str, typer.Option("--kind", help="runbook|postmortem|auto")] = "auto",
           prune: Annotated[bool, typer.Option("--prune", help="Drop documents deleted from "
                                                             "the folder.")] = False,
           home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Add Markdown/text documents; ids are paths relative to each given folder."""
    if kind not in ("runbook", "postmortem", "auto"):
        raise fail(f"--kind: must be runbook, postmortem or auto, got {kind!r}")
    for path in paths:
        if not path.exists():
            raise fail(f"PATH: no such file or folder: {path}")
    kb, _ = _open(home, config)
    for path in paths:
        with progress_bar(f"ingest {path.name or path}") as tick:
            report = kb.ingest_path(path, kind=kind, prune=prune, progress=tick)
        if as_json:
            typer.echo(json.dumps({"path": str(path), **asdict(report)}))
        else:
            typer.echo(f"{path}: {report.summary()}")
            for error in report.errors:
                typer.echo(f"  error: {error}", err=True)


@app.command("ingest-cases")
def ingest_cases(file: Annotated[Path, typer.Argument(help="Eval-format JSON Lines.")],
                 home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Add labeled past cases (CONTRACTS §5) as history for similar-case voting."""
    if not file.is_file():
        raise fail(f"FILE: no such file: {file}")
    kb, _ = _open(home, config)
    try:
        with spinner(f"storing cases from {file.name}"):
            count = kb.ingest_cases(file)
    except ValueError as exc:  # SignalParseError is a ValueError too
        raise fail(str(exc)) from None
    typer.echo(f"{file}: {count} cases stored")


@app.command("search")
def search(query: Annotated[str, typer.Argument(help="Free text (alert names count).")],
           k: Annotated[int, typer.Option("--k", min=1, max=50)] = 3,
           kind: Annotated[str | None, typer.Option(
               "--kind", help="runbook | postmortem | learning (default: all)")] = None,
           service: Annotated[str | None, typer.Option("--service")] = None,
           home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Search documents with the same hybrid retrieval the triage graph uses."""
    from knowledge.types import RetrievalQuery

    kb, _ = _open(home, config)
    terms = tuple(t for t in query.split() if len(t) > 2)
    hits = kb.search(RetrievalQuery(text=query, terms=terms, service=service), k=k, kind=kind,
                     service=service)
    if as_json:
        typer.echo(json.dumps([asdict(h) for h in hits], indent=2))
        return
    if not hits:
        typer.echo("no results")
    for hit in hits:
        typer.echo(f"{hit.score:.3f}  {hit.kind:<10} {hit.id}  {hit.title}")


@app.command("stats")
def stats(home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Documents by kind, chunks, vectors, cases and learnings by review state."""
    from knowledge.learnings import STATUSES, LearningStore

    kb, settings = _open(home, config)
    counts = kb.stats()
    store = LearningStore(kb)
    for status in STATUSES:
        counts[f"learnings_{status}"] = len(store.list(status))
    if as_json:
        typer.echo(json.dumps(counts))
        return
    typer.echo(f"knowledge base at {settings.home}")
    for key, value in sorted(counts.items()):
        typer.echo(f"  {key}: {value}")


@review_app.command("list")
def review_list(status: Annotated[str, typer.Option(
                    "--status", help="quarantined | approved | rejected | rolled_back | all")]
                = "quarantined",
                home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List learnings awaiting review (or in another state)."""
    from knowledge.learnings import LearningStore

    kb, _ = _open(home, config)
    items = LearningStore(kb).list(None if status == "all" else status)
    if as_json:
        typer.echo(json.dumps([asdict(i) for i in items], indent=2))
        return
    if not items:
        typer.echo(f"no {status} learnings")
    for item in items:
        flags = f"  FLAGGED: {', '.join(item.flags)}" if item.flags else ""
        typer.echo(f"{item.id}  {item.status}  by {item.author} at {item.created_at}{flags}")
        typer.echo(f"    symptom: {item.symptom}\n    fix: {item.fix}")


@review_app.command("approve")
def review_approve(learning_id: str, by: ByOpt = "cli",
                   force: Annotated[bool, typer.Option(
                       "--force", help="Approve even if flagged as an injected instruction.")]
                   = False, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Promote a quarantined learning so retrieval can return it."""
    _review(home, config, "approve", learning_id, by=by, force=force)


@review_app.command("reject")
def review_reject(learning_id: str, by: ByOpt = "cli",
                  note: Annotated[str | None, typer.Option("--note")] = None,
                  home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Reject a quarantined learning; it is never retrievable."""
    _review(home, config, "reject", learning_id, by=by, note=note)


@app.command("rollback")
def rollback(learning_id: str, by: ByOpt = "cli",
             note: Annotated[str | None, typer.Option("--note")] = None,
             home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Withdraw a learning (approved ones leave the index)."""
    _review(home, config, "rollback", learning_id, by=by, note=note)


def _review(home: Path | None, config: Path | None, action: str, learning_id: str, *,
            by: str, force: bool = False, note: str | None = None) -> None:
    from knowledge.learnings import LearningStore, ReviewError

    kb, _ = _open(home, config)
    store = LearningStore(kb)
    try:
        if action == "approve":
            item = store.approve(learning_id, by, force=force)
        elif action == "reject":
            item = store.reject(learning_id, by, note)
        else:
            item = store.rollback(learning_id, by, note)
    except ReviewError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{item.id}: {item.status} by {by}")


@app.command("feedback")
def feedback(signal_id: str,
             kind: Annotated[str, typer.Option("--kind", help="event | alert | incident | "
                                                              "request: what it really was")],
             team: Annotated[str | None, typer.Option("--team")] = None,
             priority: Annotated[str | None, typer.Option("--priority")] = None,
             by: ByOpt = "cli", home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Record what a stored signal really was, as a labeled past case."""
    from agent.store import SignalStore, open_db
    from knowledge.feedback import FeedbackError, record_feedback

    kb, settings = _open(home, config)
    store = SignalStore(open_db(settings.db_path))
    try:
        case_id = record_feedback(kb, store, signal_id, kind=kind, author=by,
                                  overrides={"team": team, "priority": priority})
    except FeedbackError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"stored case {case_id}")


def learn_command(signal_id: Annotated[str, typer.Argument(help="A stored signal id.")],
                  fix: Annotated[str, typer.Option("--fix", help="What fixed it.")],
                  runbook: Annotated[str | None, typer.Option("--runbook",
                                                              help="Runbook doc id used.")] = None,
                  link: Annotated[list[str] | None, typer.Option("--link")] = None,
                  author: Annotated[str, typer.Option("--author", "--by")] = "cli",
                  home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Record what resolved an incident; it waits in quarantine until `triage kb review`."""
    from agent.store import SignalStore, open_db
    from knowledge.feedback import FeedbackError, submit_learning

    kb, settings = _open(home, config)
    store = SignalStore(open_db(settings.db_path))
    try:
        item = submit_learning(kb, store, signal_id, fix=fix, runbook=runbook, author=author,
                               links=link or [])
    except FeedbackError as exc:
        raise fail(str(exc)) from None
    flags = f" (flagged: {', '.join(item.flags)})" if item.flags else ""
    typer.echo(f"{item.id}: quarantined for review{flags}")
