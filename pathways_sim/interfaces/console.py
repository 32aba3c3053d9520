"""What the command line prints: tables that never cut a name, progress bars, estimates, errors.

On a terminal, tables are rich tables whose cells wrap (``overflow="fold"``) but are never cut; anywhere else
(a pipe, a file) they are plain text, one row per line, cells separated by tabs, names whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class BadInput(Exception):
    """Raised for input problems; the message is shown as is and the exit code is 2."""


def emit_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
               right: Sequence[str] = ()) -> None:
    """Print a table: rich on a terminal (cells fold, never cut), tab-separated plain text elsewhere."""
    if out.is_terminal:
        table = Table(title=title, title_justify="left")
        for index, column in enumerate(columns):
            table.add_column(column, overflow="fold", no_wrap=False, justify="right" if column in right else "left",
                             width=_name_width(columns, rows) if index == 0 else None)
        for row in rows:
            table.add_row(*[escape(str(cell)) for cell in row])
        out.print(table)
        return
    lines = [title, "\t".join(columns)] if title else ["\t".join(columns)]
    lines += ["\t".join(_plain(cell) for cell in row) for row in rows]
    out.file.write("\n".join(lines) + "\n\n")
    out.file.flush()


def _name_width(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int | None:
    """Width that keeps the first column (names) on one line, when the other columns can still fit beside it
    without cutting a word; otherwise None (names fold)."""
    def longest_word(index: int) -> int:
        cells = [columns[index], *(str(row[index]) for row in rows if len(row) > index)]
        return max((len(word) for cell in cells for word in cell.split()), default=1)
    names = max(len(str(row[0])) for row in [[columns[0]], *rows] if row)
    others = sum(longest_word(i) for i in range(1, len(columns)))
    return names if names + others + 3 * len(columns) + 1 <= out.width else None


def _plain(cell: Any) -> str:
    return str(cell).replace("\t", " ").replace("\n", " ")


def estimate_text(mean: float, low: float, high: float) -> str:
    """'mean (low to high)', digits by magnitude; just the mean when there is no interval."""
    if math.isnan(mean):
        return "\N{EN DASH}"
    digits = 0 if abs(mean) >= 1000 else 2 if abs(mean) >= 1 else 3
    if math.isnan(low):  # a single replicate has no interval
        return f"{mean:,.{digits}f}"
    return f"{mean:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f})"


def print_summary(title: str, frame, row_label: str) -> None:
    """One row per measure, one column per scenario arm: 'mean (low to high)'."""
    arms = list(dict.fromkeys(frame["scenario"]))
    rows = []
    for measure, block in frame.groupby(row_label, sort=False):
        cells = {r.scenario: estimate_text(r.mean, r.low, r.high) for r in block.itertuples()}
        rows.append([measure, *[cells.get(arm, "") for arm in arms]])
    emit_table(title, [row_label, *arms], rows, right=arms)


def with_progress(label: str, run: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """Call ``run(progress)`` under a bar of simulated years; ``progress(done, total)`` moves it.  The bar
    appears with the first report, so input refused before any simulation prints no bar."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("simulated years"), TimeElapsedColumn())
    progress = Progress(*columns, console=err, transient=False)
    task = None

    def moved(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task(escape(label), total=total)
        progress.update(task, completed=done, total=total)
    try:
        return run(moved)
    finally:
        if task is not None:
            progress.stop()


def announce(estimate) -> None:
    """Print a large run's estimate of memory and time (nothing for a small run)."""
    if estimate is not None:
        err.print(estimate.describe(), soft_wrap=True, markup=False)
        if estimate.too_big:
            err.print("[yellow]warning:[/] more than the memory available; running anyway (--force)")
