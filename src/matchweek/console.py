"""Terminal rendering shared by the CLI commands: tables, progress, one-line errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matchweek.model import MarketHeadline

if TYPE_CHECKING:  # the engines load Numba; the console must not pull them in
    from matchweek.match.summary import MatchSummary
    from matchweek.week.stats import WeekStats

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


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def match_summary_tables(s: MatchSummary, *, specialties: int = 15) -> list[Table]:
    """A Main Match summary as tables: outcomes by kind, fill by track and specialty, calibration.

    ``specialties`` bounds the specialty table to those with the most unfilled positions
    (the rest are totalled in one row); 0 shows every specialty.
    """
    kinds = Table(title="Applicants by kind", title_justify="left")
    for name in ("kind", "registered", "rank list", "matched", "partially", "unmatched", "PGY-1 rate"):
        kinds.add_column(name, justify="left" if name == "kind" else "right")
    for kind, o in [*s.by_kind.items(), ("all", s.overall)]:
        kinds.add_row(
            kind,
            f"{o.applicants:,}",
            f"{o.certified:,}",
            f"{o.matched:,}",
            f"{o.partially_matched:,}",
            f"{o.unmatched:,}",
            _rate(o.pgy1_rate),
        )

    tracks = Table(title="Fill by track", title_justify="left")
    for name in ("track", "positions", "filled", "unfilled", "fill"):
        tracks.add_column(name, justify="left" if name == "track" else "right")
    for track, f in [*s.fill_by_track.items(), ("all", s.overall_fill)]:
        if f.positions:
            tracks.add_row(track, f"{f.positions:,}", f"{f.filled:,}", f"{f.unfilled:,}", _rate(f.rate))

    ordered = sorted(s.fill_by_specialty.items(), key=lambda kv: (-kv[1].unfilled, -kv[1].positions, kv[0]))
    shown = ordered if specialties <= 0 else ordered[:specialties]
    spec = Table(title="Fill by specialty (most unfilled first)", title_justify="left")
    for name in ("specialty", "positions", "filled", "unfilled", "fill"):
        spec.add_column(name, justify="left" if name == "specialty" else "right")
    for name, f in shown:
        spec.add_row(name, f"{f.positions:,}", f"{f.filled:,}", f"{f.unfilled:,}", _rate(f.rate))
    rest = ordered[len(shown) :]
    if rest:
        positions = sum(f.positions for _, f in rest)
        filled = sum(f.filled for _, f in rest)
        spec.add_row(
            f"{len(rest)} other specialties",
            f"{positions:,}",
            f"{filled:,}",
            f"{positions - filled:,}",
            _rate(100.0 * filled / positions if positions else None),
        )

    calibration = Table(
        title="Against the 2025 Main Match (rule book §8; rates within 4 points)", title_justify="left"
    )
    for name in ("figure", "this result", "target", "on target"):
        calibration.add_column(name, justify="left" if name == "figure" else "right")
    for c in s.comparisons(tolerance=4.0):
        if c.actual is None:
            actual = "–"
        elif "positions" in c.label:
            actual = f"{c.actual:,.0f}"
        else:
            actual = f"{c.actual:.1f}"
        verdict = {True: "[green]yes[/]", False: "[red]no[/]", None: "–"}[c.within]
        calibration.add_row(c.label, actual, c.target, verdict)
    return [kinds, tracks, spec, calibration]


def week_tables(w: WeekStats) -> list[Table]:
    """A week's SOAP figures as tables: positions, each round, outcomes by applicant kind."""
    p = w.positions
    positions = Table(title="Positions", show_header=False, title_justify="left")
    positions.add_column("what")
    positions.add_column("count", justify="right")
    positions.add_row("positions", f"{p.total:,}")
    positions.add_row("filled by the Main Match", f"{p.filled_by_match:,} ({_rate(p.match_fill_rate)})")
    positions.add_row("offered in SOAP", f"{p.in_soap:,} in {w.programs_in_soap:,} programs")
    positions.add_row("placed in SOAP", f"{p.placed_in_soap:,} ({_rate(p.soap_fill_rate)} of those offered)")
    positions.add_row("unfilled after SOAP", f"{p.unfilled_after_soap:,}")
    positions.add_row("combined fill", _rate(p.combined_fill_rate))

    rounds = Table(
        title="SOAP offer rounds (automatic: rejected because the applicant accepted another offer)",
        title_justify="left",
    )
    for name in (
        "round",
        "offers",
        "accepted",
        "rejected",
        "automatic",
        "expired",
        "filled so far",
        "still open",
    ):
        rounds.add_column(name, justify="right")
    for r in w.rounds:
        f = r.overall
        rounds.add_row(
            str(r.round),
            f"{f.offers:,}",
            f"{f.accepted:,}",
            f"{f.rejected:,}",
            f"{f.rejected_automatic:,}",
            f"{f.expired:,}",
            f"{f.filled_cumulative:,}",
            "–" if f.open_after is None else f"{f.open_after:,}",
        )

    kinds = Table(
        title="Applicants by kind: Main Match, then SOAP (placed: share of those in SOAP)",
        title_justify="left",
    )
    for name in ("kind", "registered", "matched", "partially", "in SOAP", "placed", "placed share"):
        kinds.add_column(name, justify="left" if name == "kind" else "right")
    for kind, o in [*w.outcomes_by_kind.items(), ("all", w.outcomes)]:
        share = 100.0 * o.placed_in_soap / o.soap_entrants if o.soap_entrants else None
        kinds.add_row(
            kind,
            f"{o.registered:,}",
            f"{o.matched:,}",
            f"{o.partially_matched:,}",
            f"{o.soap_entrants:,}",
            f"{o.placed_in_soap:,}",
            _rate(share),
        )
    return [positions, rounds, kinds]
