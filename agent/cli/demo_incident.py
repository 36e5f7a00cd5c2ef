"""The incident part of `triage demo`: replay the bundled scenario and print its story + KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from agent.config.org import OrgConfig


def incident_story(console: Console, folder: Path, config: OrgConfig, kb: Any) -> Path:
    """Replay the bundled incident scenario into `folder/incident.db`; return the HTML report."""
    from agent.cli.report import kpi_table, load_report
    from agent.config.sections import ToolsSection
    from agent.demo.incident_replay import DirectSurface, demo_tools_bin, load_scenario, replay
    from agent.incidents.clock import StreamClock
    from agent.incidents.report_html import render_html
    from agent.wiring import build_pipeline
    from tools.runtime import ToolRuntime

    scenario = load_scenario()
    org = scenario.config(config)
    db = folder / "incident.db"
    for stale in folder.glob("incident.db*"):
        stale.unlink()
    for stale in folder.glob("incident-checkpoints.db*"):
        stale.unlink()
    tools = ToolRuntime.open(db, ToolsSection(bin_path=str(demo_tools_bin(folder))), org)
    pipe = build_pipeline(config=org, db_path=db, checkpointer="memory", retriever=kb,
                          tools=tools, incident_clock=StreamClock())
    result = replay(pipe, scenario, DirectSurface(pipe))
    console.print(f"\n[bold]Incident replay ({scenario.name})[/]")
    for line in result.lines:
        console.print(f"  {line}")
    incidents = pipe.incidents
    if result.incident_id is not None:
        incident = incidents.service.get(result.incident_id)
        console.print(f"  → {incident.id} {incident.status}, remediation "
                      f"{incident.verification or 'unchecked'}, {incident.escalations} "
                      f"escalation(s), postmortem draft {incident.postmortem_id or 'none'} "
                      "in knowledge-base review")
    report = load_report(db)
    console.print(kpi_table("Incident KPIs (replay)", report.teams))
    html = folder / "report.html"
    html.write_text(render_html(report, "Triage demo: incident replay"), encoding="utf-8")
    console.print(f"[dim]HTML report: {html} · figures again: `triage report --db {db}`[/]")
    return html
