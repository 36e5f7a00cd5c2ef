"""Progress bars for long CLI jobs (rich), on stderr and only on a terminal.

Pipes, files and tests see no bar and no escape codes; the job's own output is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Tick = Callable[[int, int], None]


def _console() -> Console:
    return Console(stderr=True)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[Tick]:
    """Yield `tick(done, total)`; draws a transient bar while the job runs on a terminal."""
    console = _console()
    columns = [SpinnerColumn(), TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total)

        def tick(done: int, total_now: int) -> None:
            bar.update(task, completed=done, total=total_now)

        yield tick


@contextmanager
def spinner(label: str) -> Iterator[None]:
    """A spinner with elapsed time for a job whose size is not known in advance."""
    console = _console()
    with Progress(SpinnerColumn(), TextColumn(f"[bold]{label}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        bar.add_task(label, total=None)
        yield
