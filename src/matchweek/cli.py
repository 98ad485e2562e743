"""The ``matchweek`` command line: thin commands over the formats, generator and engines.

Heavy modules are imported inside the commands that need them, so ``--help``
and ``--version`` answer at once and each command pays only for what it uses.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matchweek import __version__
from matchweek.console import headline_table, out, print_error, progress_bar
from matchweek.errors import MatchweekError

if TYPE_CHECKING:
    from matchweek.model import Market

app = typer.Typer(
    name="matchweek",
    help="An open Match Week clearinghouse: the Main Residency Match and SOAP.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

SCALES = ("small", "state", "national")


def _version(value: bool) -> None:
    if value:
        out.print(f"matchweek {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """An open Match Week clearinghouse: the Main Residency Match and SOAP."""


def _batch() -> None:
    """Turn the cyclic garbage collector off for the rest of a batch command.

    A national market is millions of objects with no reference cycles; with the collector
    on, each collection after loading one walks them all to free nothing. A batch command
    ends soon after, and reference counting still frees everything else as usual.
    """
    gc.disable()


_KEPT: list[object] = []


def _keep(*objects: object) -> None:
    """Hold a batch command's large objects until the process exits.

    Freeing a national market object by object when the command returns takes a tenth of a
    second; a batch command leaves through ``_exit``, which lets the operating system reclaim
    the memory at once instead.
    """
    if not gc.isenabled():
        _KEPT.extend(objects)


def _count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` is one: "1 position", "2,406 positions"."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise typer.BadParameter(f"must be one of {', '.join(SCALES)}", param_hint="--scale")
    return scale


@app.command()
def generate(
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the market (matchweek.market/1 JSON).")
    ],
    scale: Annotated[
        str, typer.Option(help="small (tests), state (a few thousand applicants) or national (~52,000).")
    ] = "national",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives a byte-identical file.")] = 1,
) -> None:
    """Generate a synthetic Main Match market calibrated to the national figures."""
    from matchweek.formats import write_market
    from matchweek.synth import generate_market

    _check_scale(scale)
    started = time.perf_counter()
    with progress_bar(f"Generating {scale} market") as update:
        market = generate_market(scale, seed, progress=update)
    write_market(market, out_file)
    out.print(headline_table(market.headline(), title=f"{scale} market, seed {seed}"))
    out.print(f"Wrote {out_file} in {time.perf_counter() - started:.1f} s.")


@app.command()
def validate(
    file: Annotated[
        Path, typer.Argument(help="A market, result, soap or soap-result file, or a CSV folder.")
    ],
) -> None:
    """Check a file against its format and print what it holds; exit 1 naming each fault."""
    from matchweek.formats import read_any
    from matchweek.model import Market, MatchResult, SoapResult, SoapScript

    _batch()
    kind, value = read_any(file)
    _keep(value)
    out.print(f"{file}: valid {kind}")
    if isinstance(value, Market):
        out.print(headline_table(value.headline()))
    elif isinstance(value, MatchResult):
        counts: dict[str, int] = {}
        for status in value.statuses.values():
            counts[status.value] = counts.get(status.value, 0) + 1
        out.print(
            f"{len(value.matches):,} positions held; "
            + ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
            + f"; {sum(value.unfilled.values()):,} positions unfilled in {len(value.unfilled):,} programs;"
            f" {len(value.instabilities)} instabilities"
        )
    elif isinstance(value, SoapScript):
        out.print(
            f"{len(value.programs):,} programs with {sum(p.open for p in value.programs):,} open positions; "
            f"{len(value.applicants):,} applicants; {len(value.applications):,} applications before round 1; "
            f"{len(value.rounds)} scripted rounds of {value.policy.rounds}"
        )
    elif isinstance(value, SoapResult):
        out.print(
            f"{len(value.rounds)} rounds; {len(value.matches):,} positions accepted; "
            f"{sum(value.unfilled.values()):,} positions unfilled"
        )


@app.command()
def match(
    market_file: Annotated[Path, typer.Argument(metavar="MARKET", help="A market (matchweek.market/1).")],
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the result (matchweek.result/1 JSON).")
    ],
    summary: Annotated[
        bool,
        typer.Option("--summary", help="Print outcomes by applicant kind, fill and the calibration targets."),
    ] = False,
) -> None:
    """Run the Main Match (Roth–Peranson, applicant-proposing) on a market and write the result."""
    from matchweek.formats import read_market_then, write_result
    from matchweek.match import run_match, summarize

    started = time.perf_counter()
    _batch()
    market, result = read_market_then(market_file, run_match)
    _keep(market, result)
    write_result(result, out_file)
    elapsed = time.perf_counter() - started
    if summary:
        from matchweek.console import match_summary_tables

        for table in match_summary_tables(summarize(market, result)):
            out.print(table)
    matched = sum(1 for s in result.statuses.values() if s.value == "matched")
    partial = sum(1 for s in result.statuses.values() if s.value == "partially_matched")
    out.print(
        f"Wrote {out_file}: {_count(len(result.matches), 'position')} filled, "
        f"{_count(matched, 'applicant')} matched, {partial:,} partially matched, "
        f"{_count(sum(result.unfilled.values()), 'position')} unfilled, "
        f"{len(result.instabilities)} unremovable instabilities ({elapsed:.1f} s)."
    )


@app.command()
def verify(
    market_file: Annotated[Path, typer.Argument(metavar="MARKET", help="A market (matchweek.market/1).")],
    result_file: Annotated[
        Path, typer.Argument(metavar="RESULT", help="A result for it (matchweek.result/1).")
    ],
) -> None:
    """Check a Main Match result against its market independently of the engine; exit 1 naming
    each violation (capacity, mutual ranking, supplemental and couple rules, blocking pairs)."""
    from matchweek.formats import read_market, read_result
    from matchweek.match import verify as check

    _batch()
    market = read_market(market_file)
    result = read_result(result_file)
    _keep(market, result)
    violations = check(market, result)
    if violations:
        for v in violations:
            print_error(f"{result_file}: {v}")
        n = len(violations)
        print_error(f"{result_file}: {n:,} violation{'' if n == 1 else 's'}")
        raise typer.Exit(1)
    note = (
        f"; {len(result.instabilities)} reported instabilities confirmed"
        if result.instabilities
        else "; stable"
    )
    out.print(f"{result_file}: sound for {market_file}{note}.")


def _run_week(
    market: Market, out_dir: Path, seed: int, policy_file: Path | None, strategy: str, title: str
) -> None:
    """Run a Match Week on ``market``, write its files into ``out_dir`` and print its figures."""
    from matchweek.console import week_tables
    from matchweek.model import Policy, load_policy
    from matchweek.week.run import REPORT_FILE, run_week, write_week

    policy = load_policy(policy_file) if policy_file is not None else Policy()
    started = time.perf_counter()
    with progress_bar("Running the Match Week") as update:
        update("Main Match and SOAP", 0.1)
        week = run_week(market, policy, seed, strategy=strategy)
        update("writing files", 0.9)
        written = write_week(week, out_dir, title=title)
    for table in week_tables(week.stats):
        out.print(table)
    out.print(f"Wrote {', '.join(sorted(written))} to {out_dir} ({time.perf_counter() - started:.1f} s).")
    out.print(f"Report: {written[REPORT_FILE]}")


@app.command()
def week(
    market_file: Annotated[Path, typer.Argument(metavar="MARKET", help="A market (matchweek.market/1).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the week's files.")],
    seed: Annotated[int, typer.Option(help="Seed of the behaviour models: same seed, same week.")] = 1,
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="A policy TOML file (defaults: the NRMP's SOAP).")
    ] = None,
    strategy: Annotated[
        str, typer.Option(help="How applicants choose where to apply: targeted or spray.")
    ] = "targeted",
) -> None:
    """Simulate a whole Match Week: the Main Match, then SOAP with behaviour models of applicants
    and programs. Writes the Main Match result, the SOAP event log and result, per-round
    statistics (JSON and CSV) and a self-contained HTML report."""
    from matchweek.formats import read_market

    _batch()
    market = read_market(market_file)
    _keep(market)
    _run_week(
        market, out_dir, seed, policy_file, strategy, title=f"Match Week: {market_file.name}, seed {seed}"
    )


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's files.")] = Path(
        "matchweek-demo"
    ),
    scale: Annotated[str, typer.Option(help="small, state or national.")] = "national",
    seed: Annotated[int, typer.Option(help="Random seed of the market and of the week.")] = 1,
) -> None:
    """Run the main job on generated data: a synthetic national market through a whole Match Week
    (Main Match, then SOAP), with its files and an HTML report."""
    from matchweek.formats import write_market
    from matchweek.synth import generate_market

    _check_scale(scale)
    _batch()
    out_dir.mkdir(parents=True, exist_ok=True)
    market_file = out_dir / "market.json"
    started = time.perf_counter()
    with progress_bar(f"Generating {scale} market") as update:
        market = generate_market(scale, seed, progress=update)
    _keep(market)
    write_market(market, market_file)
    out.print(headline_table(market.headline(), title=f"Synthetic {scale} market (seed {seed})"))
    out.print(f"Market written to {market_file} ({time.perf_counter() - started:.1f} s).")
    _run_week(
        market,
        out_dir,
        seed,
        None,
        "targeted",
        title=f"Match Week on a synthetic {scale} market, seed {seed}",
    )


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="A market: JSON file, CSV folder or .xlsx workbook.")],
    target: Annotated[
        Path,
        typer.Argument(help="Where to write it: a .json file, a .xlsx workbook, or a folder for CSV files."),
    ],
) -> None:
    """Convert a market between its JSON, CSV-folder and XLSX forms, losslessly."""
    from matchweek.formats import read_any, write_market, write_market_csv, write_market_xlsx
    from matchweek.model import Market

    _batch()
    kind, market = read_any(source)
    _keep(market)
    if not isinstance(market, Market):
        raise typer.BadParameter(f"{source} holds {kind}; only markets convert", param_hint="SOURCE")
    suffix = target.suffix.lower()
    if suffix == ".json":
        write_market(market, target)
    elif suffix == ".xlsx":
        write_market_xlsx(market, target)
    else:
        write_market_csv(market, target)
    out.print(f"Wrote {target} ({len(market.applicants):,} applicants, {len(market.programs):,} programs).")


soap_app = typer.Typer(
    name="soap",
    help="SOAP, the Supplemental Offer and Acceptance Program: play scripted offer rounds.",
    no_args_is_help=True,
)
app.add_typer(soap_app)


@soap_app.command("run")
def soap_run(
    script_file: Annotated[Path, typer.Argument(metavar="SCRIPT", help="A SOAP script (matchweek.soap/1).")],
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the result (matchweek.soap-result/1 JSON).")
    ],
    events_file: Annotated[
        Path | None,
        typer.Option("--events", help="Also write the event log here (JSON Lines, one event per line)."),
    ] = None,
) -> None:
    """Play a SOAP script through the engine and write its result.

    Every step is checked against the rule book; a script that breaks a rule is refused
    as a whole, naming the round and the record, and nothing is written.
    """
    from matchweek.formats import read_soap_script, write_soap_result
    from matchweek.soap import play_script

    script = read_soap_script(script_file)
    played = play_script(script)
    write_soap_result(played.result, out_file)
    if events_file is not None:
        from matchweek.week.eventlog import write_event_log

        write_event_log(played.events, events_file)
    result = played.result
    out.print(
        f"Wrote {out_file}: {len(result.rounds)} rounds, "
        f"{sum(len(r.offers) for r in result.rounds):,} offers, {len(result.matches):,} positions accepted, "
        f"{_count(sum(result.unfilled.values()), 'position')} unfilled"
        + (f"; {len(played.events):,} events in {events_file}." if events_file is not None else ".")
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.", min=1, max=65535)] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Start on a fresh database with a generated market, its Main Match done and an "
            "account for each role (printed at start).",
        ),
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL of the store; default MATCHWEEK_DATABASE_URL, else ./matchweek.db (SQLite).",
        ),
    ] = None,
) -> None:
    """Run the clearinghouse portal (web pages and JSON API) until interrupted."""
    from matchweek.web.serve import serve as run_portal

    run_portal(host=host, port=port, demo=demo, database_url=database_url)


def _add_planner() -> None:
    from matchweek.plan.cli import plan_app

    app.add_typer(plan_app, name="plan")


_add_planner()


def main() -> None:
    """Entry point: run the app and turn every matchweek error into one clear line."""
    try:
        app()
    except MatchweekError as e:
        print_error(str(e))
        _exit(1)
    except OSError as e:
        print_error(f"{e.filename}: {e.strerror}" if e.filename else str(e))
        _exit(1)
    except KeyboardInterrupt:
        print_error("interrupted")
        _exit(130)
    except SystemExit as e:
        _exit(e.code)


def _exit(code: int | str | None) -> None:
    """Leave with ``code``; a batch command leaves without freeing its objects one by one.

    A national market is millions of objects; deallocating them at exit takes longer than
    a Main Match. Output is flushed and files were written atomically, so nothing is lost
    when the operating system reclaims the memory at once instead.
    """
    if code is not None and not isinstance(code, int):
        print_error(str(code))
        code = 1
    if gc.isenabled():  # not a batch command: leave the usual way
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
