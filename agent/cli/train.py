"""`triage train`: rebuild the corpus from local mirrors and re-fit the shipped learned heads."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from agent.cli.options import HomeOpt, resolve_settings
from agent.learning.corpus.mirror import DEFAULT_MIRRORS, MirrorMissing
from agent.learning.paths import WEIGHTS


def train(
    mirrors: Path = typer.Option(DEFAULT_MIRRORS, help="Folder of bare git mirrors "
                                 "(owner+name/repo), as `fetch` leaves them."),
    cache: Path | None = typer.Option(None, help="Corpus and embedding cache "
                                      "[default: HOME/cache/corpus]."),
    exclude_evals: Path | None = typer.Option(None, "--exclude-evals", help="Eval datasets "
                                              "folder: their alertnames are never trained on."),
    out: Path = typer.Option(WEIGHTS, help="Where to write heads.npz (model_card.json beside)."),
    limit: int | None = typer.Option(None, help="Keep about N examples per head (smoke runs)."),
    cross_source: bool = typer.Option(False, "--cross-source", help="Also print the "
                                      "train-on-A / test-on-unseen-B table."),
    home: HomeOpt = None,
) -> None:
    """Build the corpus from public mirrors, fit and calibrate every head, write a model card."""
    from agent.learning.corpus.build import build
    from agent.learning.train import train as fit_all
    from knowledge.embedder import OnnxEmbedder

    settings = resolve_settings(home=home)
    cache = cache or Path(settings.home) / "cache" / "corpus"
    try:
        summary = build(cache, mirrors, exclude_evals)
    except MirrorMissing as exc:
        raise typer.BadParameter(str(exc), param_hint="--mirrors") from None
    for repo in summary["missing"]:
        typer.echo(f"missing mirror (skipped): {repo} — fetch github:{repo} into {mirrors}")
    for task, info in summary["tasks"].items():
        typer.echo(f"corpus {task:<9} {info['count']:>6} examples {info['labels']}")
    embedder = OnnxEmbedder(threads=1)
    try:
        card = fit_all(cache, embedder, out, limit=limit, cross_source=cross_source)
    except RuntimeError as exc:
        raise typer.BadParameter(str(exc)) from None
    for name, head in card["heads"].items():
        typer.echo(f"head {name:<9} test split {json.dumps(head['test_split'])}")
    typer.echo(f"rule calibration (test split): {json.dumps(card['rule_calibration'])}")
    typer.echo(f"weights: {out} ({card['weights']['bytes']} bytes, "
               f"sha256 {card['weights']['sha256'][:16]}…)")
    for row in card.get("cross_source", []):
        typer.echo(f"cross-source {json.dumps(row)}")
