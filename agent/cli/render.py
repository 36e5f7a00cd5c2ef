"""Human-readable output of decisions (rich tables) and JSON Lines for `--json`."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from agent.kernel.decision import Decision

_KIND_STYLE = {"incident": "bold red", "alert": "yellow", "event": "dim", "request": "cyan"}


# Columns in the order they are dropped when the terminal is narrow (the signal, its kind,
# priority, team and runbook always stay; below 100 columns the two text columns wrap).
_DROP_ORDER = [("source", 120), ("type", 110), ("time", 100), ("noise", 90)]


def _columns(width: int) -> list[str]:
    dropped = {name for name, below in _DROP_ORDER if width < below}
    return [c for c in ("time", "source", "signal", "kind", "type", "prio", "team", "noise",
                        "runbook") if c not in dropped]


def decisions_table(decisions: list[Decision], title: str = "Decisions",
                    width: int = 150) -> Table:
    """A table with one row per decision that fits `width` columns: what it is, how urgent,
    where it goes, why. Narrow terminals drop source, type, time and noise, in that order,
    and wrap the signal and runbook text instead of cutting it."""
    narrow = width < 100
    text = ({"ratio": 3, "overflow": "fold"} if narrow else
            {"ratio": 3, "overflow": "ellipsis", "no_wrap": True})
    runbook = ({"ratio": 2, "overflow": "fold"} if narrow else
               {"ratio": 2, "overflow": "ellipsis", "no_wrap": True})
    styles = {"signal": text, "runbook": runbook}
    shown = _columns(width)
    table = Table(title=title, show_lines=False, expand=True, width=width,
                  pad_edge=not narrow, padding=(0, 1) if not narrow else (0, 0))
    for name in shown:
        table.add_column(name, **styles.get(name, {"no_wrap": True}))
    for d in decisions:
        noise = ("dup" if d.noise.duplicate_of else
                 (d.noise.suppressed_by or "").split(":")[0] or ("flapping" if d.noise.flapping
                                                                 else ""))
        kind = f"[{_KIND_STYLE[d.kind]}]{d.kind}[/]" + (" 🔒" if d.security else "")
        doc = d.runbooks[0].id if d.runbooks else ""
        cells = {"time": d.timestamp.strftime("%H:%M:%S") if d.timestamp else "",
                 "source": d.source, "signal": d.title[:90], "kind": kind,
                 "type": d.event_type, "prio": d.priority, "team": d.team or "-",
                 "noise": noise, "runbook": doc.rsplit("/", 1)[-1] if narrow else doc}
        table.add_row(*(cells[c] for c in shown))
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
    console.print(decisions_table(decisions, width=console.width))
    for d in decisions:
        console.print(f"[bold]{d.signal_id}[/] {d.rationale}", highlight=False)
