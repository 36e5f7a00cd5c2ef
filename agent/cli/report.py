"""`triage report`: incident and noise KPIs as a terminal table and an HTML page with plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.options import ConfigOpt, HomeOpt, fail, resolve_settings
from agent.cli.render import make_console
from agent.incidents.kpis import Kpis, Report, compute
from agent.incidents.report_html import COLUMNS, fmt, render_html
from agent.incidents.store import IncidentStore
from agent.kernel.db import open_db


def kpi_table(title: str, rows: dict[str, Kpis]) -> Table:
    """One row per slice, one column per KPI."""
    table = Table(title=title)
    table.add_column("", no_wrap=True)
    for _, label in COLUMNS:
        table.add_column(label, justify="right")
    for name, k in rows.items():
        d = k.as_dict()
        table.add_row(name, *[fmt(d[key], key) for key, _ in COLUMNS])
    return table


def load_report(db: Path) -> Report:
    """The KPIs of one state database."""
    conn = open_db(db)
    return compute(conn, IncidentStore(conn))


def report(home: HomeOpt = None, config: ConfigOpt = None,
           db: Annotated[Path | None, typer.Option("--db", help="A state database (default: "
                                                                "the one under --home).")] = None,
           html: Annotated[Path | None, typer.Option("--html", help="Write the HTML page "
                                                                    "here.")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """MTTA, MTTR, time to engage, escalations, noise ratio, dedup/suppression, verified fixes."""
    settings = resolve_settings(home=home, config=config)
    path = db or settings.db_path
    if not path.exists():
        raise fail(f"{path}: no state database (run triage first, or pass --db)")
    result = load_report(path)
    if as_json:
        typer.echo(json.dumps({"overall": result.overall.as_dict(),
                               "teams": {k: v.as_dict() for k, v in result.teams.items()},
                               "services": {k: v.as_dict() for k, v in result.services.items()},
                               "days": {k: v.as_dict() for k, v in result.days.items()}},
                              indent=2))
    else:
        console = make_console()
        console.print(kpi_table("Overall", {"all": result.overall}))
        console.print(kpi_table("Per team", result.teams))
        console.print(kpi_table("Per service", result.services))
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(result), encoding="utf-8")
        if not as_json:
            typer.echo(f"wrote {html}")
