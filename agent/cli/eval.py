"""`triage eval DATASET.jsonl …` (the `run` default) and `triage eval compare BASE NEW`.

Config resolution for a run: `--config` (per command or global) wins; otherwise a
`config.yaml` beside the dataset file is used; otherwise TRIAGE_CONFIG; otherwise none.
Exit codes: 0 passed, 1 a --fail-under bound was missed (or compare found a regression),
2 bad input (dataset line, bound, config, missing knowledge base).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from typer.core import TyperGroup

from agent.cli.options import (
    ConfigOpt,
    HomeOpt,
    ReasonerOpt,
    fail,
    resolve_config,
    resolve_settings,
)

if TYPE_CHECKING:
    from rich.progress import Progress


class DefaultRunGroup(TyperGroup):
    """A group that runs `run` when the first argument is not a subcommand (`eval DATA.jsonl`)."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert the default command unless a subcommand or bare --help comes first."""
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultRunGroup, no_args_is_help=True,
                  help="Evaluate triage decisions on a labeled dataset (CONTRACTS §5).")


def _config_path(dataset: Path, explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    beside = dataset.parent / "config.yaml"
    return beside if beside.is_file() else None


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False)


@app.command("run")
def run(
    dataset: Annotated[Path, typer.Argument(help="Cases, JSON Lines (CONTRACTS §5).")],
    config: ConfigOpt = None,
    kb: Annotated[list[Path] | None, typer.Option("--kb", help="Documents to ingest into a "
                                                   "fresh knowledge base (repeatable).")] = None,
    history: Annotated[Path | None, typer.Option("--history", help="Labeled past cases for "
                                                  "the knowledge base.")] = None,
    reasoner: ReasonerOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("eval-report"),
    fail_under: Annotated[list[str] | None, typer.Option(
        "--fail-under", help="METRIC=VALUE bound (a maximum for latency/unsafe/tokens); "
        "exit 1 when missed. Repeatable.")] = None,
    gate: Annotated[Path | None, typer.Option("--gate", help="File of METRIC=VALUE bounds, "
                                              "one a line.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    tools: Annotated[str, typer.Option(
        "--tools", help="off: no tool runtime (nothing planned); dry-run: plan actions "
        "through a per-case dry-run runtime (nothing executes); read-only: run read-only "
        "diagnostics for real under the egress policy (others wait for approval).")] = "off",
    home: HomeOpt = None,
) -> None:
    """Run every case through the real pipeline, score it, write report.json/.md/.html."""
    # the eval harness loads only when an eval runs (keeps every other command's start fast)
    from evals.dataset import DatasetError, load_dataset
    from evals.gate import GateError, check, parse_bounds, read_gate_file
    from evals.kb import KnowledgeBaseUnavailable, build_kb
    from evals.report import build_report, write_reports
    from evals.report_md import fmt
    from evals.runner import PipelineUnavailable, RunSpec, run_cases

    if tools not in {"off", "dry-run", "read-only"}:
        raise fail(f"--tools: must be off, dry-run or read-only, got {tools!r}")
    try:
        bounds = parse_bounds([*(read_gate_file(gate) if gate else []), *(fail_under or [])])
        cases = load_dataset(dataset)
    except (GateError, DatasetError) as exc:
        raise fail(str(exc)) from None
    settings = resolve_settings(home=home, config=_config_path(dataset, config),
                                reasoner=reasoner)
    cfg = resolve_config(settings)
    with tempfile.TemporaryDirectory(prefix="triage-eval-kb-") as tmp:
        kb_dir = None
        if kb or history:
            try:
                kb_dir = build_kb(Path(tmp), kb or [], history, cfg.knowledge)
            except (KnowledgeBaseUnavailable, DatasetError) as exc:
                raise fail(str(exc)) from None
        spec = RunSpec(config=cfg, reasoner=settings.reasoner, kb_dir=kb_dir, settings=settings,
                       tools=tools)
        try:
            with _progress() as bar:
                task = bar.add_task("eval", total=len(cases))
                results = run_cases(cases, spec, jobs=jobs,
                                    progress=lambda n: bar.advance(task, n))
        except PipelineUnavailable as exc:
            raise fail(str(exc)) from None
    report = build_report(results, reasoner=settings.reasoner, dataset=str(dataset),
                          config=str(settings.config) if settings.config else None,
                          kb=[str(p) for p in kb or []],
                          history=str(history) if history else None, bounds=bounds,
                          tools=tools)
    report["gate"]["failures"] = failures = check(report["metrics"], bounds)
    paths = write_reports(report, out)
    typer.echo(f"{report['cases']} cases, {report['errors']} errors, reasoner "
               f"{report['reasoner']}")
    for name, value in report["metrics"].items():
        typer.echo(f"  {name:<22} {fmt(value)}")
    typer.echo("reports: " + ", ".join(str(p) for p in paths))
    for failure in failures:
        typer.echo(f"FAILED {failure}", err=True)
    if failures:
        raise typer.Exit(1)


@app.command("compare")
def compare_cmd(
    base: Annotated[Path, typer.Argument(help="Baseline report.json.")],
    new: Annotated[Path, typer.Argument(help="New report.json.")],
    tolerance: Annotated[float, typer.Option(help="Allowed drop of a quality metric.")] = 0.01,
    latency_tolerance: Annotated[float, typer.Option(
        help="Relative latency/token increase that warns.")] = 0.25,
) -> None:
    """Print metric deltas; exit 1 when a metric regressed beyond the tolerance."""
    from evals.compare import compare, load_report
    from evals.report_md import fmt

    try:
        deltas = compare(load_report(base), load_report(new), tolerance, latency_tolerance)
    except ValueError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{'metric':<24}{'base':>10}{'new':>10}{'delta':>10}  status")
    for d in deltas:
        delta = "" if d.delta is None else f"{d.delta:+.4g}"
        typer.echo(f"{d.metric:<24}{fmt(d.base):>10}{fmt(d.new):>10}{delta:>10}  {d.status}")
    regressions = [d.metric for d in deltas if d.status == "regression"]
    warnings = [d.metric for d in deltas if d.status == "warning"]
    if warnings:
        typer.echo(f"warning: {', '.join(warnings)}", err=True)
    if regressions:
        typer.echo(f"regression beyond tolerance {tolerance:g}: {', '.join(regressions)}",
                   err=True)
        raise typer.Exit(1)
