"""Benchmark of the applicant planner: the optimal list of 45 from a national List of Unfilled Programs.

Measures, with medians over profiles and repetitions:
- ``plan_list``: the whole planner call a page or the CLI makes, from a profile and the list to the
  explained optimal list (odds for every program, utilities and must-haves, the exact dynamic
  program, the application order and each pick's marginal gain and loss if dropped);
- ``optimal_portfolio``: the exact dynamic program alone, on the same odds and utilities;
- side by side, as baselines on the same input: Kapur & Hong's greedy application order (the
  nested reference, O(n·k)), and a naive greedy that recomputes the list's value for every
  candidate at every step (O(n·k²)). Every method must reach the same expected value, or the
  benchmark exits with status 1. (Brute force is checked in the tests on small instances only:
  C(n, 45) lists here.)
The market, its Main Match and the list are built once beforehand and not timed.

Run: ``.venv/bin/python benchmarks/bench_plan.py [--profiles 12] [--repeats 7] [--quick] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from matchweek.match import run_match
from matchweek.model import MatchStatus, Policy
from matchweek.plan import (
    Listing,
    application_order,
    default_odds_model,
    listing_of,
    odds_for,
    optimal_portfolio,
    plan_list,
    portfolio_value,
    profile_of,
)
from matchweek.plan.profile import utilities
from matchweek.synth import generate_market

PLAN_TARGET = 0.050
"""Seconds: optimizing a list of 45 from the national list."""

out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
progress = Console(stderr=True, highlight=False)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    memory_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration, ValueError):
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in load],
    }


def naive_greedy(odds: np.ndarray, utility: np.ndarray, size: int) -> tuple[list[int], float]:
    """Greedy by recomputing the whole list's value for every candidate at every step."""
    chosen: list[int] = []
    value = 0.0
    candidates = [j for j in range(len(odds)) if odds[j] > 0 and utility[j] > 0]
    for _ in range(min(size, len(candidates))):
        best, best_value = -1, value
        for j in candidates:
            if j in chosen:
                continue
            v = portfolio_value(odds, utility, [*chosen, j])
            if v > best_value:
                best, best_value = j, v
        if best < 0:
            break
        chosen.append(best)
        value = best_value
    return chosen, value


def enlarged(listing: Listing, programs: int, seed: int) -> Listing:
    """``listing`` with copies of randomly drawn programs of its own added (new codes, one open
    position each) until it holds ``programs`` programs: a list as large as a given year's."""
    extra = programs - len(listing.programs)
    if extra <= 0:
        return listing
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(listing.programs), size=extra, replace=True)
    copies = tuple(
        dataclasses.replace(listing.programs[i], code=f"{listing.programs[i].code}-{k}", open=1)
        for k, i in enumerate(drawn)
    )
    return dataclasses.replace(listing, programs=listing.programs + copies)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``call`` takes, and what it returns."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def row(table: Table, name: str, seconds: list[float], target: float | None = None) -> None:
    median = statistics.median(seconds)
    table.add_row(
        name,
        f"{median * 1000:.2f} ms",
        f"{min(seconds) * 1000:.2f} ms",
        f"{max(seconds) * 1000:.2f} ms",
        str(len(seconds)),
        f"≤ {target * 1000:.0f} ms" if target is not None else "",
        ("yes" if median <= target else "NO") if target is not None else "",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profiles", type=int, default=12, help="Applicants planned for (SOAP entrants).")
    parser.add_argument("--repeats", type=int, default=7, help="Timed runs per profile.")
    parser.add_argument("--cap", type=int, default=Policy().max_applications)
    parser.add_argument("--quick", action="store_true", help="The state market instead of the national one.")
    parser.add_argument(
        "--programs",
        type=int,
        default=0,
        help="Enlarge the list to this many programs with copies of its own (one open position each).",
    )
    parser.add_argument("--json", type=Path, help="Also write every timing here.")
    args = parser.parse_args()
    scale = "state" if args.quick else "national"

    info_start = machine()
    progress.print(f"Generating the {scale} market (seed {args.seed}) and running the Main Match...")
    market = generate_market(scale, args.seed)
    match_result = run_match(market)
    listing = enlarged(listing_of(market, match_result), args.programs, args.seed)
    model = default_odds_model()
    entrants = [
        a
        for a in market.applicants
        if match_result.statuses.get(a.id) is MatchStatus.UNMATCHED and a.verified and a.can_start_july_1
    ][: args.profiles]
    profiles = [profile_of(a, market, match_result) for a in entrants]
    inputs = []
    for p in profiles:
        inputs.append((odds_for(p, listing, model).probability, utilities(p, listing)))
    gc.collect()
    gc.freeze()

    warmup, _ = timed(lambda: plan_list(profiles[0], listing, model, cap=args.cap))
    plan_seconds: list[float] = []
    dp_seconds: list[float] = []
    greedy_seconds: list[float] = []
    naive_seconds: list[float] = []
    disagreements = []
    for i, (p, (f, t)) in enumerate(zip(profiles, inputs, strict=True)):
        progress.print(f"Profile {i + 1} of {len(profiles)} ({p.applicant}, {p.kind.value})...")
        for _ in range(args.repeats):
            seconds, planned = timed(lambda p=p: plan_list(p, listing, model, cap=args.cap))
            plan_seconds.append(seconds)
            seconds, (_, dp_value) = timed(lambda f=f, t=t: optimal_portfolio(f, t, args.cap))
            dp_seconds.append(seconds)
            seconds, (_, gains) = timed(lambda f=f, t=t: application_order(f, t, args.cap))
            greedy_seconds.append(seconds)
        seconds, (_, naive_value) = timed(lambda f=f, t=t: naive_greedy(f, t, args.cap))
        naive_seconds.append(seconds)
        values = {
            "plan_list": planned.expected_value,
            "dynamic program": dp_value,
            "Kapur-Hong greedy": float(gains.sum()),
            "naive greedy": naive_value,
        }
        if max(values.values()) - min(values.values()) > 1e-9 * max(1.0, max(values.values())):
            disagreements.append({"applicant": p.applicant, **values})

    table = Table(title=f"Optimal list of {args.cap} from the {scale} list (seed {args.seed})")
    for name in ("figure", "median", "min", "max", "runs", "target", "met"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    row(table, "plan_list: odds, utilities, optimal list, explanations", plan_seconds, PLAN_TARGET)
    row(table, "optimal_portfolio: the exact dynamic program alone", dp_seconds)
    row(table, "baseline: Kapur-Hong greedy order (nested reference)", greedy_seconds)
    row(table, "baseline: naive greedy, recomputing every list's value", naive_seconds)
    out.print(table)
    info = machine()
    sizes = [int(((f > 0) & (t > 0)).sum()) for f, t in inputs]
    out.print(
        f"List: {len(listing.programs):,} programs with {listing.open_positions:,} open positions; "
        f"{len(profiles)} profiles, {min(sizes)}-{max(sizes)} programs worth applying to each; "
        f"warm-up call {warmup * 1000:.1f} ms (not counted)."
    )
    out.print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"NumPy {info['numpy']}; load average {info_start['load_average'][0]} at start, "
        f"{info['load_average'][0]} at end."
    )
    plan_median = statistics.median(plan_seconds)
    out.print(
        f"plan_list / target: {plan_median / PLAN_TARGET:.2f} (below 1 meets the target); naive greedy / "
        f"dynamic program: {statistics.median(naive_seconds) / statistics.median(dp_seconds):.0f}x."
    )
    if disagreements:
        out.print(f"[bold red]The methods disagree on {len(disagreements)} profiles:[/] {disagreements[:3]}")
    else:
        out.print("Every method reached the same expected value for every profile.")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "scale": scale,
                    "seed": args.seed,
                    "cap": args.cap,
                    "programs": len(listing.programs),
                    "open_positions": listing.open_positions,
                    "profiles": [p.applicant for p in profiles],
                    "machine": {"start": info_start, "end": info},
                    "figures": {
                        "plan_list": plan_seconds,
                        "optimal_portfolio": dp_seconds,
                        "kapur_hong_greedy": greedy_seconds,
                        "naive_greedy": naive_seconds,
                    },
                    "medians": {
                        "plan_list": plan_median,
                        "optimal_portfolio": statistics.median(dp_seconds),
                        "kapur_hong_greedy": statistics.median(greedy_seconds),
                        "naive_greedy": statistics.median(naive_seconds),
                    },
                    "targets": {"plan_list": PLAN_TARGET},
                    "agree": not disagreements,
                },
                indent=2,
            )
        )
    if disagreements:
        sys.exit(1)


if __name__ == "__main__":
    main()
