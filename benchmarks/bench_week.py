"""Benchmark of a simulated Match Week's SOAP phase on the generated national market.

Measures, with medians over repetitions:
- the SOAP phase: ``simulate_soap`` from the start of SOAP to its end, all rounds, with the
  behaviour models of applicants and programs, every action a checked engine command;
- side by side, as a baseline: replaying the same event log (folding the events into a state
  with no rules checked and no behaviour), the least any run producing these events must do;
- one round's offer generation: the engine handling ``OpenRound`` for round 1 (every SOAP
  program's offers down its certified list), on the state just before round 1 opens.
The Main Match runs once beforehand and is not timed here (see bench_match.py).

Run: ``.venv/bin/python benchmarks/bench_week.py [--scale national] [--seed 1] [--repeats 3] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from matchweek.match import run_match
from matchweek.model import Policy
from matchweek.soap import OpenRound, RoundOpened, handle, replay
from matchweek.synth import generate_market
from matchweek.week import simulate_soap

SOAP_PHASE_TARGET = 10.0
OFFER_ROUND_TARGET = 0.050

out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
progress = Console(stderr=True, highlight=False)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
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
        memory_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=("small", "state", "national"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="SOAP phases to time (offer rounds: 20x this)")
    parser.add_argument("--json", type=Path, help="Also write every timing here.")
    args = parser.parse_args()

    policy = Policy()
    progress.print(f"Generating the {args.scale} market (seed {args.seed}) and running the Main Match...")
    market = generate_market(args.scale, args.seed)
    match_result = run_match(market)
    gc.freeze()  # the market and its result live to the end; collections need not walk them

    soap_seconds: list[float] = []
    run = None
    for i in range(max(args.repeats, 1)):
        progress.print(f"SOAP phase {i + 1} of {args.repeats}...")
        started = time.perf_counter()
        run = simulate_soap(market, match_result, policy, args.seed)
        soap_seconds.append(time.perf_counter() - started)
        if i + 1 < args.repeats:
            del run
            run = None
            gc.collect()
    assert run is not None

    # Baseline, side by side: folding the same event log into a state with no rules and no
    # behaviour (replay), the least any run producing these events must do.
    replay_seconds: list[float] = []
    for _ in range(max(args.repeats, 1)):
        started = time.perf_counter()
        replay(run.events)
        replay_seconds.append(time.perf_counter() - started)

    # The state just before round 1 opens: the log replayed up to the RoundOpened event.
    first_open = next(i for i, e in enumerate(run.events) if isinstance(e, RoundOpened) and e.round == 1)
    before = replay(run.events[:first_open])
    opened = run.events[first_open]
    command = OpenRound(opened.at, 1)
    offer_seconds: list[float] = []
    offers = 0
    for _ in range(20 * max(args.repeats, 1)):
        started = time.perf_counter()
        events = handle(before, command)
        offer_seconds.append(time.perf_counter() - started)
        offers = sum(1 for e in events if type(e).__name__ == "OfferExtended")

    soap_median = statistics.median(soap_seconds)
    replay_median = statistics.median(replay_seconds)
    offer_median = statistics.median(offer_seconds)
    placed = len(run.result.matches)
    table = Table(title=f"SOAP phase of a simulated Match Week ({args.scale}, seed {args.seed})")
    for name in ("figure", "median", "min", "max", "runs", "target", "met"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    table.add_row(
        "SOAP phase, all rounds with agents",
        f"{soap_median:.2f} s",
        f"{min(soap_seconds):.2f} s",
        f"{max(soap_seconds):.2f} s",
        str(len(soap_seconds)),
        f"≤ {SOAP_PHASE_TARGET:.0f} s",
        "yes" if soap_median <= SOAP_PHASE_TARGET else "NO",
    )
    table.add_row(
        "baseline: replaying its event log",
        f"{replay_median:.2f} s",
        f"{min(replay_seconds):.2f} s",
        f"{max(replay_seconds):.2f} s",
        str(len(replay_seconds)),
        "",
        "",
    )
    table.add_row(
        f"round 1 offers ({offers:,} offers)",
        f"{offer_median * 1000:.1f} ms",
        f"{min(offer_seconds) * 1000:.1f} ms",
        f"{max(offer_seconds) * 1000:.1f} ms",
        str(len(offer_seconds)),
        f"≤ {OFFER_ROUND_TARGET * 1000:.0f} ms",
        "yes" if offer_median <= OFFER_ROUND_TARGET else "NO",
    )
    out.print(table)
    info = machine()
    out.print(
        f"{len(run.events):,} events; {placed:,} positions placed in SOAP of "
        f"{sum(p.open for p in run.start.programs):,} offered; "
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']}."
    )
    out.print(
        f"SOAP phase / replay of its log: {soap_median / replay_median:.1f}x. Ratios to target: "
        f"SOAP phase {soap_median / SOAP_PHASE_TARGET:.2f}, round offers "
        f"{offer_median / OFFER_ROUND_TARGET:.2f} (below 1 meets the target)."
    )
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "seed": args.seed,
                    "machine": info,
                    "soap_phase_seconds": soap_seconds,
                    "soap_phase_median": soap_median,
                    "replay_seconds": replay_seconds,
                    "replay_median": replay_median,
                    "round1_offer_seconds": offer_seconds,
                    "round1_offer_median": offer_median,
                    "round1_offers": offers,
                    "events": len(run.events),
                    "placed": placed,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
