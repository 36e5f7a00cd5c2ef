"""`triage run` (one payload) and `triage demo` (the bundled story on the embedded default)."""

from __future__ import annotations

import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    ReasonerOpt,
    fail,
    open_pipeline_or_exit,
    resolve_config,
    resolve_settings,
)
from agent.cli.progress import progress_bar
from agent.cli.render import decisions_table, make_console, print_decisions, summary_table
from agent.config import load_config
from agent.kernel.errors import SignalParseError

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="auto, alertmanager, grafana, "
                                        "pagerduty, generic, metric, log, ticket, slack, jira, "
                                        "servicenow or zendesk.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print decisions as JSON Lines.")]


def split_payloads(text: str, fmt: str) -> list[Any]:
    """One payload per document: a JSON document, JSON Lines, log lines, or the raw text."""
    if fmt == "log":
        return [line for line in text.splitlines() if line.strip()]
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1:
            try:
                return [json.loads(line) for line in lines]
            except json.JSONDecodeError:
                pass
        return [text]


def run(file: Annotated[str, typer.Argument(help="Payload file, or - for stdin.")] = "-",
        fmt: FormatOpt = "auto", config: ConfigOpt = None, home: HomeOpt = None,
        reasoner: ReasonerOpt = None, as_json: JsonOpt = False) -> None:
    """Triage one payload (a webhook body may carry many alerts) and print the decisions."""
    settings = resolve_settings(home=home, config=config, reasoner=reasoner)
    org = resolve_config(settings)
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"{file}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise fail(f"{file}: not UTF-8 text") from None
    if not text.strip():
        raise fail("input: empty payload")
    pipe = open_pipeline_or_exit(settings, org)
    decisions = []
    payloads = split_payloads(text, fmt)
    try:
        with progress_bar("triage", len(payloads)) as tick:
            for done, payload in enumerate(payloads, 1):
                decisions += pipe.triage(payload, fmt)
                tick(done, len(payloads))
    except SignalParseError as exc:
        raise fail(str(exc)) from None
    finally:
        pipe.close()
    print_decisions(make_console(), decisions, as_json)


def demo(home: HomeOpt = None, config: ConfigOpt = None, reasoner: ReasonerOpt = None,
         as_json: JsonOpt = False) -> None:
    """Replay the bundled Acme Shop stream on the embedded default and summarise."""
    from agent.wiring import open_kb
    from knowledge.corpus import ensure_bundled

    console = make_console()
    started = time.perf_counter()
    settings = resolve_settings(home=home, config=config, reasoner=reasoner)
    demo_files = resources.files("agent.demo")
    org = (resolve_config(settings) if settings.config else
           load_config(Path(str(demo_files.joinpath("config.yaml")))))
    # The demo's fictional company lives in its own home (`<home>/demo`, embedded Chroma),
    # never in the user's knowledge base or database.
    demo_settings = settings.model_copy(update={"home": settings.home / "demo",
                                                "chroma_url": None})
    kb = open_kb(demo_settings, org.model_copy(update={"knowledge": org.knowledge.model_copy(
        update={"chroma_url": None})}))
    with progress_bar("building the demo knowledge base") as tick:
        report = ensure_bundled(kb, progress=tick)
    if report.added or report.updated or report.errors:
        console.print(f"[dim]knowledge base: {len(report.added)} documents added, "
                      f"{len(report.updated)} updated, {len(report.errors)} errors[/]")
    db = settings.home / "demo" / "triage.db"
    for stale in db.parent.glob("*.db*") if db.parent.exists() else []:
        stale.unlink()
    pipe = open_pipeline_or_exit(settings, org, db_path=db, kb=kb)
    stream = [json.loads(line) for line in
              demo_files.joinpath("stream.jsonl").read_text(encoding="utf-8").splitlines() if line]
    decisions = []
    with progress_bar("replaying the Acme Shop stream", len(stream)) as tick:
        for done, item in enumerate(stream, 1):
            decisions += pipe.triage(item["payload"], item["format"])
            tick(done, len(stream))
    if as_json:
        print_decisions(console, decisions, True)
        return
    console.print(decisions_table(decisions, title="Acme Shop: triage decisions",
                                  width=console.width))
    console.print(summary_table(decisions, signals_in=len(decisions)))
    from agent.cli.demo_incident import incident_story

    incident_story(console, db.parent, org, kb)
    console.print(f"[dim]{len(stream)} payloads, {len(decisions)} signals in "
                  f"{time.perf_counter() - started:.1f}s; state in {db.parent}[/]")
