"""Benchmark of the Main Match on the generated national market.

Measures, with medians over repetitions: parsing a market file in a fresh process, compiling
the market to arrays, the warm compiled kernel, the real ``matchweek match`` command end to end
(wall time and peak memory), and matchweek's ``match_from_lists`` against the ``matching``
package on the singles-only version of the same market, checking that both give the same
assignment. Prints a table with the targets and writes every raw timing to JSON on request.

Run: ``.venv/bin/python benchmarks/bench_match.py [--quick] [--repeats N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from rich.console import Console
from rich.table import Table

from matchweek.formats import write_market
from matchweek.match import compile_market, match_from_lists, run_kernel
from matchweek.model import Market
from matchweek.synth import generate_market

T = TypeVar("T")

out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
progress = Console(stderr=True, highlight=False)

MB = 1_000_000
"""Memory is reported in decimal megabytes; the target of 1.5 GB is 1,500 MB."""

KERNEL_TARGET_S = 0.1
SPEEDUP_TARGET = 20.0
PEAK_MEMORY_TARGET_MB = 1500.0
END_TO_END_TARGET_S = 2.5

PARSE_IN_FRESH_PROCESS = """
import json, sys, time
from matchweek.formats import read_market
started = time.perf_counter()
market = read_market(sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "applicants": len(market.applicants)}))
"""
"""Run by a new interpreter per repetition: only ``read_market`` itself is timed, not imports."""

SPAWN_AND_MEASURE = """
import json, os, sys, time
log, argv = sys.argv[1], sys.argv[2:]
actions = [
    (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    (os.POSIX_SPAWN_DUP2, 1, 2),
]
started = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"seconds": seconds, "exit": code, "peak_kib": usage.ru_maxrss}))
"""
"""Spawns one command, waits for it with ``os.wait4`` and prints its wall time and peak RSS.

``os.wait4`` reports the resource use of exactly that child, but Linux carries the peak RSS of
the process that spawned it over into the child's figure (the child starts as a copy of it, and
the peak survives ``exec``). Spawned from this benchmark, which holds a whole market, the child
would inherit this process's peak; spawned from a bare interpreter of ~10 MB, it does not."""

MATCHING_RECURSION_LIMIT = 1_000_000
MATCHING_STACK_BYTES = 1 << 30
"""``matching`` deep-copies its players, and each player's preference list links to the others:
the copy recurses through the whole market, far past Python's default limit. It runs in a
thread with a large stack and a raised recursion limit, both restored afterwards."""


@dataclass
class Figure:
    """One measured quantity and its raw runs; summarised by median, minimum and maximum."""

    key: str
    label: str
    unit: str = "s"
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def least(self) -> float:
        return min(self.runs)

    @property
    def most(self) -> float:
        return max(self.runs)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit": self.unit,
            "runs": self.runs,
            "median": self.median,
            "min": self.least,
            "max": self.most,
        }


@dataclass(frozen=True)
class Target:
    """A performance target: a measured value against a limit, as an upper or lower bound."""

    name: str
    figure: str
    """The figure it is shown beside (``speedup`` has a row of its own)."""
    measured: float
    limit: float
    unit: str
    at_least: bool
    judged_on: str

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    @property
    def text(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.limit:g}{self.unit}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "figure": self.figure,
            "measured": self.measured,
            "limit": self.limit,
            "unit": self.unit,
            "bound": "at least" if self.at_least else "at most",
            "judged_on": self.judged_on,
            "met": self.met,
        }


class SinglesLists(NamedTuple):
    """A singles market as plain dictionaries, mutually consistent as ``matching`` requires."""

    resident_prefs: dict[str, list[str]]
    hospital_prefs: dict[str, list[str]]
    capacities: dict[str, int]


# ---------------------------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, Python and library versions, and the load at this moment."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    packages = {}
    for name in ("matchweek", "numpy", "numba", "msgspec", "orjson", "matching"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(ram_bytes / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "packages": packages,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------------------------
# Timed steps


def timed(call: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call, in seconds, and its value."""
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def parse_in_fresh_process(market_file: Path, applicants: int) -> float:
    """Seconds ``read_market`` takes in a new interpreter, so no cache of this process helps."""
    child = subprocess.run(
        [sys.executable, "-c", PARSE_IN_FRESH_PROCESS, str(market_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"parsing {market_file} failed: {child.stderr.strip()}")
    report = json.loads(child.stdout)
    if report["applicants"] != applicants:
        raise RuntimeError(f"parsed {report['applicants']} applicants, the market has {applicants}")
    return float(report["seconds"])


def matchweek_command() -> list[str]:
    """The installed ``matchweek`` script next to this interpreter, else ``python -m matchweek``."""
    script = Path(sys.executable).parent / "matchweek"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "matchweek"]


def run_command(argv: Sequence[str], log: Path) -> tuple[float, int]:
    """Run ``argv`` to completion; its wall time from spawn to exit and its peak RSS in bytes.

    A small launcher process spawns and waits for the command (see ``SPAWN_AND_MEASURE``).
    Output goes to ``log``; a failure raises with its text.
    """
    launcher = subprocess.run(
        [sys.executable, "-c", SPAWN_AND_MEASURE, str(log), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if launcher.returncode != 0:
        raise RuntimeError(f"could not run {' '.join(argv)}: {launcher.stderr.strip()}")
    report = json.loads(launcher.stdout)
    if report["exit"] != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {report['exit']}: {log.read_text().strip()}")
    # Linux reports ru_maxrss in KiB.
    return float(report["seconds"]), int(report["peak_kib"]) * 1024


def singles_lists(market: Market) -> SinglesLists:
    """The singles-only version of ``market`` as plain dictionaries.

    Couples and their members are dropped, and so are supplemental lists and links and
    reversion: each applicant keeps its primary rank list, each program its own positions.
    Only mutual rankings are kept on both sides (an applicant ranks a program only if the
    program ranks it, and the other way round), then applicants and programs left with an
    empty list, and programs without positions, are dropped. Built in the market's order.
    """
    in_couple = {member for c in market.couples for member in c.members}
    singles = [a for a in market.applicants if a.id not in in_couple]
    programs = [p for p in market.programs if p.positions > 0]
    single_ids = {a.id for a in singles}
    ranked_by = {p.code: {x for x in p.rank_list if x in single_ids} for p in programs}
    resident_prefs = {
        a.id: [e.program for e in a.rank_list if a.id in ranked_by.get(e.program, ())] for a in singles
    }
    ranks = {x: set(codes) for x, codes in resident_prefs.items()}
    hospital_prefs = {
        p.code: [x for x in p.rank_list if x in single_ids and p.code in ranks[x]] for p in programs
    }
    resident_prefs = {x: codes for x, codes in resident_prefs.items() if codes}
    hospital_prefs = {code: xs for code, xs in hospital_prefs.items() if xs}
    capacities = {p.code: p.positions for p in programs if p.code in hospital_prefs}
    return SinglesLists(resident_prefs, hospital_prefs, capacities)


def matchweek_assignment(lists: SinglesLists) -> tuple[float, dict[str, str]]:
    """Seconds matchweek's ``match_from_lists`` takes on the lists, and its resident -> hospital."""
    seconds, by_program = timed(
        lambda: match_from_lists(lists.resident_prefs, lists.hospital_prefs, lists.capacities)
    )
    return seconds, {x: code for code, xs in by_program.items() for x in xs}


def matching_assignment(lists: SinglesLists) -> tuple[float, float, dict[str, str]]:
    """Seconds to build and to solve the game with ``matching``, and its resident -> hospital.

    Raises if ``matching`` warns about the input: the lists must already be consistent, so
    that both libraries solve exactly the same game.
    """
    from matching.exceptions import PlayerExcludedWarning, PreferencesChangedWarning
    from matching.games import HospitalResident

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_s, game = timed(
            lambda: HospitalResident.create_from_dictionaries(
                lists.resident_prefs, lists.hospital_prefs, lists.capacities
            )
        )
        solve_s, solution = timed(lambda: game.solve(optimal="resident"))
    complaints = [
        w for w in caught if issubclass(w.category, PlayerExcludedWarning | PreferencesChangedWarning)
    ]
    if complaints:
        raise RuntimeError(f"matching changed the input lists: {complaints[0].message}")
    assignment = {r.name: h.name for h, residents in solution.items() for r in residents}
    return build_s, solve_s, assignment


def in_deep_thread(call: Callable[[], T]) -> T:
    """Run ``call`` in a thread with a large stack and a raised recursion limit; return its value."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as e:  # handed back to the calling thread
            box["error"] = e

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size(MATCHING_STACK_BYTES)
    sys.setrecursionlimit(MATCHING_RECURSION_LIMIT)
    try:
        worker = threading.Thread(target=work, name="matching", daemon=True)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["value"]


# ---------------------------------------------------------------------------------------------
# The benchmark


@dataclass
class Measurements:
    """Everything one benchmark run measured."""

    figures: dict[str, Figure]
    warm_up: dict[str, float]
    market: dict[str, Any]
    comparison: dict[str, Any]


def measure(scale: str, seed: int, repeats: int, matching_repeats: int, folder: Path) -> Measurements:
    """Run every step of the benchmark on ``generate_market(scale, seed)``."""
    figures = {
        f.key: f
        for f in (
            Figure("parse", "parse: read_market (fresh process)"),
            Figure("compile", "compile_market"),
            Figure("kernel", "run_kernel (warm)"),
            Figure("end_to_end", "matchweek match: wall time"),
            Figure("peak_memory", "matchweek match: peak RSS", "MB"),
            Figure("matching_build", "matching: create_from_dictionaries"),
            Figure("matching_solve", "matching: solve"),
            Figure("matching_api", "matching: build + solve"),
            Figure("matchweek_api", "matchweek: match_from_lists"),
        )
    }
    warm_up: dict[str, float] = {}

    progress.print(f"Generating the {scale} market (seed {seed}) ...")
    market = generate_market(scale, seed)
    market_file = folder / "market.json"
    write_market(market, market_file)
    n_applicants = len(market.applicants)
    facts: dict[str, Any] = {
        "scale": scale,
        "seed": seed,
        "applicants": n_applicants,
        "programs": len(market.programs),
        "couples": len(market.couples),
        "file_bytes": market_file.stat().st_size,
    }

    progress.print(f"Parsing in {repeats} fresh processes ...")
    for _ in range(repeats):
        figures["parse"].runs.append(parse_in_fresh_process(market_file, n_applicants))

    progress.print(f"Compiling and running the kernel {repeats} times (after one warm-up call) ...")
    arrays = compile_market(market)
    started = time.perf_counter()
    run_kernel(arrays)
    warm_up["kernel_first_call_s"] = time.perf_counter() - started
    for _ in range(repeats):
        started = time.perf_counter()
        arrays = compile_market(market)
        compiled = time.perf_counter()
        output = run_kernel(arrays)
        figures["compile"].runs.append(compiled - started)
        figures["kernel"].runs.append(time.perf_counter() - compiled)
    facts["kernel_proposals"] = output.stats.proposals

    lists = singles_lists(market)
    # The comparison runs without the national market in memory, and with the lists moved out of
    # the collector's sight, so that neither library pays for walking objects it did not make.
    del market, arrays, output
    gc.collect()
    gc.freeze()

    command = [*matchweek_command(), "match", str(market_file), "--out", str(folder / "result.json")]
    facts["command"] = " ".join(command)
    progress.print(f"Running `matchweek match` {repeats + 1} times (the first is a warm-up) ...")
    for i in range(repeats + 1):
        seconds, peak = run_command(command, folder / "match.log")
        if i == 0:
            warm_up["end_to_end_first_run_s"] = seconds
            warm_up["end_to_end_first_run_peak_mb"] = peak / MB
            continue
        figures["end_to_end"].runs.append(seconds)
        figures["peak_memory"].runs.append(peak / MB)

    comparison = compare_with_matching(lists, repeats, matching_repeats, figures, warm_up)
    return Measurements(figures=figures, warm_up=warm_up, market=facts, comparison=comparison)


def compare_with_matching(
    lists: SinglesLists,
    repeats: int,
    matching_repeats: int,
    figures: Mapping[str, Figure],
    warm_up: dict[str, float],
) -> dict[str, Any]:
    """Time both libraries on the same lists and check they give the same assignment."""
    facts: dict[str, Any] = {
        "residents": len(lists.resident_prefs),
        "hospitals": len(lists.hospital_prefs),
        "positions": sum(lists.capacities.values()),
        "ranking_entries": sum(map(len, lists.resident_prefs.values())),
    }
    progress.print(
        f"Singles market: {facts['residents']:,} residents, {facts['hospitals']:,} hospitals, "
        f"{facts['ranking_entries']:,} mutual rankings."
    )
    progress.print(f"matchweek match_from_lists {repeats} times (after one warm-up call) ...")
    warm_up["match_from_lists_first_call_s"], ours = matchweek_assignment(lists)
    for _ in range(repeats):
        seconds, again = matchweek_assignment(lists)
        if again != ours:
            raise RuntimeError("match_from_lists gave a different assignment on the same lists")
        figures["matchweek_api"].runs.append(seconds)

    agree = True
    differing = 0
    for i in range(matching_repeats):
        progress.print(f"matching, run {i + 1} of {matching_repeats} (minutes at national scale) ...")
        gc.collect()
        build_s, solve_s, theirs = in_deep_thread(lambda: matching_assignment(lists))
        figures["matching_build"].runs.append(build_s)
        figures["matching_solve"].runs.append(solve_s)
        figures["matching_api"].runs.append(build_s + solve_s)
        if theirs != ours:
            agree = False
            differing = max(differing, sum(1 for x in lists.resident_prefs if theirs.get(x) != ours.get(x)))

    facts.update(
        matched_residents=len(ours),
        agree=agree,
        residents_assigned_differently=differing,
        speedup=figures["matching_api"].median / figures["matchweek_api"].median,
    )
    return facts


def targets(m: Measurements) -> list[Target]:
    """The performance targets, judged on medians, and on the largest peak for memory."""
    f = m.figures
    return [
        Target(
            name="kernel",
            figure="kernel",
            measured=f["kernel"].median,
            limit=KERNEL_TARGET_S,
            unit=" s",
            at_least=False,
            judged_on="median",
        ),
        Target(
            name="matchweek vs matching",
            figure="speedup",
            measured=m.comparison["speedup"],
            limit=SPEEDUP_TARGET,
            unit="×",
            at_least=True,
            judged_on="ratio of medians",
        ),
        Target(
            name="peak memory",
            figure="peak_memory",
            measured=f["peak_memory"].most,
            limit=PEAK_MEMORY_TARGET_MB,
            unit=" MB",
            at_least=False,
            judged_on="max",
        ),
        Target(
            name="end to end",
            figure="end_to_end",
            measured=f["end_to_end"].median,
            limit=END_TO_END_TARGET_S,
            unit=" s",
            at_least=False,
            judged_on="median",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Reporting


def show(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:,.0f} MB"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.3f} s" if value < 100 else f"{value:,.1f} s"


def machine_table(facts: Mapping[str, Any]) -> Table:
    t = Table(title="Machine", show_header=False, title_justify="left")
    t.add_column("what")
    t.add_column("value")
    t.add_row("CPU", str(facts["cpu"]))
    t.add_row("cores", f"{facts['logical_cores']} logical, {facts['usable_cores']} usable")
    t.add_row("RAM", f"{facts['ram_gib']} GiB")
    t.add_row("Python", f"{facts['python']} on {facts['platform']}")
    t.add_row("packages", ", ".join(f"{k} {v}" for k, v in facts["packages"].items()))
    t.add_row(
        "load average (1, 5, 15 min)",
        f"{facts['load_average_at_start']} at start, {facts['load_average_at_end']} at end",
    )
    return t


def results_table(m: Measurements, goals: Sequence[Target]) -> Table:
    by_figure = {g.figure: g for g in goals}
    t = Table(title=f"Main Match benchmark ({m.market['scale']} market, seed {m.market['seed']})")
    for name, justify in (
        ("figure", "left"),
        ("median", "right"),
        ("min", "right"),
        ("max", "right"),
        ("runs", "right"),
        ("target", "left"),
        ("", "left"),
    ):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for f in m.figures.values():
        goal = by_figure.get(f.key)
        t.add_row(
            f.label,
            show(f.median, f.unit),
            show(f.least, f.unit),
            show(f.most, f.unit),
            str(len(f.runs)),
            f"{goal.text} ({goal.judged_on})" if goal else "",
            verdict(goal) if goal else "",
        )
    speedup = by_figure["speedup"]
    t.add_row(
        "speedup: matching / matchweek",
        f"{speedup.measured:,.0f}×",
        "",
        "",
        "",
        f"{speedup.text} ({speedup.judged_on})",
        verdict(speedup),
    )
    return t


def verdict(goal: Target) -> str:
    return "[green]pass[/]" if goal.met else "[red]fail[/]"


def document(
    m: Measurements, goals: Sequence[Target], facts: Mapping[str, Any], settings: Mapping[str, Any]
) -> dict[str, Any]:
    """Everything measured, as the JSON report."""
    return {
        "benchmark": "main-match",
        "settings": dict(settings),
        "machine": dict(facts),
        "market": m.market,
        "figures": {key: f.as_json() for key, f in m.figures.items()},
        "warm_up": m.warm_up,
        "comparison": m.comparison,
        "targets": [g.as_json() for g in goals],
    }


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="market seed (default 1)")
    parser.add_argument("--repeats", type=int, default=5, help="repetitions of each figure (default 5)")
    parser.add_argument(
        "--matching-repeats",
        type=int,
        default=1,
        help="runs of the matching package, about 8 minutes each at national scale (default 1)",
    )
    parser.add_argument("--quick", action="store_true", help="use the state market: a smoke run")
    parser.add_argument("--json", type=Path, help="write all raw timings and medians to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.matching_repeats < 1:
        parser.error("--repeats and --matching-repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if matchweek and ``matching`` disagree."""
    args = arguments(argv)
    scale = "state" if args.quick else "national"
    facts = machine()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        m = measure(scale, args.seed, args.repeats, args.matching_repeats, Path(tmp))
    facts["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    goals = targets(m)
    settings = {
        "scale": scale,
        "seed": args.seed,
        "repeats": args.repeats,
        "matching_repeats": args.matching_repeats,
        "total_seconds": time.perf_counter() - started,
    }

    out.print(machine_table(facts))
    out.print(results_table(m, goals))
    c = m.comparison
    out.print(
        f"Singles market for the comparison: {c['residents']:,} residents, {c['hospitals']:,} hospitals, "
        f"{c['positions']:,} positions, {c['ranking_entries']:,} mutual rankings."
    )
    if c["agree"]:
        out.print(
            f"matchweek and matching agree: the same hospital for every resident "
            f"({c['matched_residents']:,} matched)."
        )
    else:
        out.print(
            f"[red]matchweek and matching DISAGREE[/]: {c['residents_assigned_differently']:,} "
            "residents assigned differently."
        )
    out.print(
        f"Warm-up (not in the figures): first run_kernel {m.warm_up['kernel_first_call_s']:.3f} s, "
        f"first matchweek match {m.warm_up['end_to_end_first_run_s']:.3f} s, "
        f"first match_from_lists {m.warm_up['match_from_lists_first_call_s']:.3f} s. "
        f"Total {settings['total_seconds']:.0f} s."
    )
    if args.json:
        args.json.write_text(json.dumps(document(m, goals, facts, settings), indent=2) + "\n")
        out.print(f"Wrote {args.json}.")
    return 0 if c["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
