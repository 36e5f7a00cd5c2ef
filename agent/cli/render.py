"""Human-readable output of decisions (rich tables) and JSON Lines for `--json`."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from agent.kernel.decision import Decision

_KIND_STYLE = {"incident": "bold red", "alert": "yellow", "event": "dim", "request": "cyan"}


def decisions_table(decisions: list[Decision], title: str = "Decisions") -> Table:
    """A table with one row per decision: what it is, how urgent, where it goes, why."""
    table = Table(title=title, show_lines=False, expand=True)
    for name, kw in (("time", {"no_wrap": True}), ("source", {"no_wrap": True}),
                     ("signal", {"ratio": 3, "overflow": "ellipsis", "no_wrap": True}),
                     ("kind", {"no_wrap": True}), ("type", {"no_wrap": True}),
                     ("prio", {"no_wrap": True}), ("team", {"no_wrap": True}),
                     ("noise", {"no_wrap": True}),
                     ("runbook", {"ratio": 2, "overflow": "ellipsis", "no_wrap": True})):
        table.add_column(name, **kw)
    for d in decisions:
        noise = ("dup" if d.noise.duplicate_of else
                 (d.noise.suppressed_by or "").split(":")[0] or ("flapping" if d.noise.flapping
                                                                 else ""))
        kind = f"[{_KIND_STYLE[d.kind]}]{d.kind}[/]" + (" 🔒" if d.security else "")
        when = d.timestamp.strftime("%H:%M:%S") if d.timestamp else ""
        table.add_row(when, d.source, d.title[:90], kind, d.event_type, d.priority,
                      d.team or "-", noise, d.runbooks[0].id if d.runbooks else "")
    return table


def summary_table(decisions: list[Decision], signals_in: int) -> Table:
    """Counts of what came in and what came out, overall and per team."""
    kinds = Counter(d.kind for d in decisions)
    teams = Counter(d.team or "(none)" for d in decisions
                    if not d.noise.duplicate_of and not d.noise.suppressed_by)
    table = Table(title="Summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("signals in", signals_in)] + [(f"{k}s", kinds.get(k, 0)) for k in
                                           ("event", "alert", "incident", "request")]
    rows += [("duplicates", sum(1 for d in decisions if d.noise.duplicate_of)),
             ("suppressed", sum(1 for d in decisions if d.noise.suppressed_by)),
             ("notifications", sum(1 for d in decisions if d.noise.notify
                                   and d.kind in {"alert", "incident"}
                                   and not d.noise.duplicate_of and not d.noise.suppressed_by))]
    rows += [(f"team {team}", n) for team, n in sorted(teams.items())]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


def make_console() -> Console:
    """A console for CLI output: the terminal's width, or 150 columns when piped."""
    console = Console()
    return console if console.is_terminal else Console(width=150)


def print_decisions(console: Console, decisions: list[Decision], as_json: bool) -> None:
    """Print decisions as JSON Lines (`--json`) or as a table."""
    if as_json:
        for d in decisions:
            console.file.write(d.model_dump_json() + "\n")
        return
    console.print(decisions_table(decisions))
    for d in decisions:
        console.print(f"[bold]{d.signal_id}[/] {d.rationale}", highlight=False)
