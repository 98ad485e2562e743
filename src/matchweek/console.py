"""Terminal rendering shared by the CLI commands: tables, progress, one-line errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matchweek.model import MarketHeadline

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def print_error(message: str) -> None:
    """Print a user-facing error: each line of it, never a traceback."""
    for line in message.splitlines() or [message]:
        err.print(f"[bold red]error:[/] {line}", markup=True, soft_wrap=True)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[str, float], None]]:
    """A Rich progress bar driven by ``(stage, fraction)`` callbacks; silent when not on a terminal."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=1.0)

        def update(stage: str, fraction: float) -> None:
            progress.update(
                task, completed=min(max(fraction, 0.0), 1.0), description=f"{description}: {stage}"
            )

        yield update


def headline_table(h: MarketHeadline, title: str = "Market") -> Table:
    """The headline numbers of a market as a two-column table."""
    t = Table(title=title, show_header=False, title_justify="left")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("program tracks", f"{h.programs:,}")
    t.add_row("positions", f"{h.positions:,}")
    t.add_row("  PGY-1 positions", f"{h.pgy1_positions:,}")
    for track, n in h.positions_by_track.items():
        if h.programs_by_track[track]:
            t.add_row(f"  {track}", f"{n:,} in {h.programs_by_track[track]:,} tracks")
    t.add_row("visa-sponsoring tracks", f"{h.visa_sponsoring_programs:,}")
    t.add_row("applicants registered", f"{h.applicants:,}")
    for kind, n in h.applicants_by_kind.items():
        t.add_row(f"  {kind}", f"{n:,}")
    t.add_row("applicants with a rank list", f"{h.applicants_with_rank_list:,}")
    t.add_row("couples", f"{h.couples:,}")
    t.add_row("supplemental lists", f"{h.supplemental_lists:,}")
    return t
