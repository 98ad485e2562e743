"""Benchmark of ``Store.execute`` under the Monday burst of SOAP applications, in process.

Loads a generated market into a fresh store, runs the Main Match, starts SOAP
and publishes the List of Unfilled Programs; then every eligible SOAP entrant
(about 15,000 at national scale) sends ``--per-applicant`` applications, each
with a personal statement and letters, each its own command, from
``--threads`` threads at once. Reports commands per second and the latency
of each ``execute`` call (p50, p95, p99, max), then checks that every
application is in the log and the read models exactly once, and times
reopening the store.

Run (PostgreSQL on 127.0.0.1, a throwaway schema made and dropped by the script):

    .venv/bin/python benchmarks/bench_store.py
    .venv/bin/python benchmarks/bench_store.py --url sqlite --scale state

Bounded: it sends a fixed number of commands and stops. The pieces it is made of
(throwaway databases, a seeded store, commands run from threads, latency figures) are
reused by ``bench_portal_load.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from bench_match import machine
from matchweek.model import Market, Policy, WeekTime
from matchweek.soap import Command, SubmitApplication, visible_programs
from matchweek.store import Store, WeekClock, schema
from matchweek.synth import generate_market

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
"""Where throwaway schemas are made by default (trust authentication on the loopback)."""
SQLITE = "sqlite"
"""``--url sqlite``: throwaway SQLite files in a temporary folder instead."""
PORTAL_TARGET_PER_S = 500
PORTAL_TARGET_P99_MS = 250


class DatabaseUnreachable(RuntimeError):
    """The database server for the throwaway databases does not answer."""


UNREACHABLE_EXIT = 2
"""Exit status of a benchmark whose database server does not answer."""


@contextmanager
def throwaway_database(server: str, *, keep: bool = False) -> Iterator[str]:
    """The URL of a new, empty database, dropped when the block ends (unless ``keep``).

    ``server`` is a PostgreSQL URL (a schema of its own is made there and put on the
    search path) or :data:`SQLITE` (a file in a new temporary folder).
    """
    if server == SQLITE:
        folder = Path(tempfile.mkdtemp(prefix="matchweek-bench-"))
        try:
            yield f"sqlite:///{folder / 'store.db'}"
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server, connect_args={"connect_timeout": 10})
    try:
        try:
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{name}"'))
        except OperationalError as e:
            raise DatabaseUnreachable(
                f"PostgreSQL at {server} is unreachable: {str(e).splitlines()[0]}"
            ) from None
        try:
            yield f"{server}?options=-csearch_path%3D{name}"
        finally:
            if not keep:
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


def seeded_store(url: str, market: Market, policy: Policy, *, release: bool = True) -> Store:
    """A store on ``url`` with ``market`` loaded, its Main Match run and SOAP started under ``policy``;
    with ``release``, the clock at the list release and the status and list released."""
    clock = WeekClock(WeekTime.parse(policy.list_release), speed=1.0)
    store = Store(url, clock=clock)
    store.load_market(market, actor="bench")
    store.run_main_match(actor="bench")
    store.start_soap(policy, actor="bench")
    if release:
        store.tick()
    return store


@dataclass
class ThreadedRun:
    """Commands run through ``Store.execute`` from threads: every latency, the wall time, the refusals."""

    threads: int
    latencies: list[float]
    wall_s: float
    refusals: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s > 0 else 0.0


def execute_from_threads(store: Store, commands: Sequence[Command], threads: int) -> ThreadedRun:
    """Run every command through ``store.execute`` from ``threads`` threads at once (command k on thread
    k mod ``threads``, in order), timing each call."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    refusals: list[str] = []
    start = threading.Barrier(threads + 1)

    def worker(k: int) -> None:
        start.wait()
        for command in commands[k::threads]:
            t = time.perf_counter()
            try:
                store.execute(command, actor=_actor(command))
            except Exception as e:  # report, never stop the run
                refusals.append(f"{command}: {e}")
            latencies[k].append(time.perf_counter() - t)

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in workers:
        thread.start()
    start.wait()
    t0 = time.perf_counter()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - t0
    return ThreadedRun(threads, [x for per in latencies for x in per], wall, refusals)


def _actor(command: Command) -> str:
    applicant = getattr(command, "applicant", None)
    return f"applicant-{applicant}" if applicant is not None else "bench"


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, max and mean of latencies given in seconds, in milliseconds (nearest rank)."""
    if not seconds:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    ordered = sorted(seconds)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def burst_commands(store: Store, per_applicant: int, seed: int) -> list[SubmitApplication]:
    """``per_applicant`` applications (with a statement and up to four letters) from every SOAP entrant
    who sees a program, to programs drawn at random from what it sees; shuffled."""
    state = store.state()
    rng = random.Random(seed)
    at = store.clock.now()
    commands: list[SubmitApplication] = []
    for applicant_id in sorted(state.applicants):
        visible = visible_programs(state, applicant_id)
        if not visible:
            continue
        ledger = state.applicants[applicant_id]
        statement = min(ledger.personal_statements) if ledger.personal_statements else None
        letters = tuple(sorted(ledger.letters)[:4]) if statement is not None else ()
        for program in rng.sample(visible, min(per_applicant, len(visible))):
            commands.append(SubmitApplication(at, applicant_id, program, statement, letters))
    rng.shuffle(commands)
    return commands


def stored_applications(database: str) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """How often each (applicant, program) is in the ``applications`` table and among the
    ``application_submitted`` events (read straight from the database, not through the store)."""
    engine = create_engine(database)
    events = schema.soap_events
    logged_pair = select(events.c.payload["applicant"].as_string(), events.c.payload["program"].as_string())
    try:
        with engine.connect() as conn:
            t = schema.applications
            rows = Counter(tuple(r) for r in conn.execute(select(t.c.applicant, t.c.program)))
            logged = Counter(
                tuple(r) for r in conn.execute(logged_pair.where(events.c.type == "application_submitted"))
            )
    finally:
        engine.dispose()
    return rows, logged


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=POSTGRES,
        help=f"PostgreSQL server to make a throwaway schema in, or '{SQLITE}' (default {POSTGRES})",
    )
    parser.add_argument("--scale", default="national", choices=("small", "state", "national"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-applicant", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="write the figures and raw latencies here")
    args = parser.parse_args(argv)
    try:
        with throwaway_database(args.url) as url:
            return run(url, args)
    except DatabaseUnreachable as e:
        print(e, file=sys.stderr)
        return UNREACHABLE_EXIT


def run(url: str, args: argparse.Namespace) -> int:
    progress = sys.stderr
    facts = machine()
    print(f"generating the {args.scale} market (seed {args.seed})...", file=progress)
    market = generate_market(args.scale, args.seed)
    t0 = time.perf_counter()
    store = seeded_store(url, market, Policy())
    setup_s = time.perf_counter() - t0
    print(f"set-up (load market, Main Match, start SOAP, list release): {setup_s:.1f} s", file=progress)

    state = store.state()
    commands = burst_commands(store, args.per_applicant, args.seed)
    applicants = len({c.applicant for c in commands})
    print(
        f"{len(commands):,} applications from {applicants:,} applicants, {args.threads} threads",
        file=progress,
    )
    burst = execute_from_threads(store, commands, args.threads)
    in_table, in_log = stored_applications(url)
    logged, rows = in_log.total(), in_table.total()
    problems = store.verify_read_models()
    store.close()
    t0 = time.perf_counter()
    reopened = Store(url)
    reopen_s = time.perf_counter() - t0
    same = reopened.state() == state
    reopened.close()

    latency = latency_ms(burst.latencies)
    figures = {
        "url": url.split("?")[0],
        "scale": args.scale,
        "threads": args.threads,
        "commands": len(commands),
        "wall_s": burst.wall_s,
        "commands_per_s": burst.per_second,
        **{f"{k}_ms": v for k, v in latency.items()},
        "refused": len(burst.refusals),
        "applications_in_log": logged,
        "application_rows": rows,
        "read_model_problems": problems,
        "reopen_s": reopen_s,
        "reopened_state_equal": same,
        "machine": facts,
    }
    print(f"{'commands':>24}: {len(commands):,}")
    print(f"{'wall time':>24}: {burst.wall_s:.2f} s")
    print(f"{'commands/s':>24}: {burst.per_second:,.0f}   (target for the portal: >= {PORTAL_TARGET_PER_S})")
    print(f"{'latency p50 / p95':>24}: {latency['p50']:.1f} / {latency['p95']:.1f} ms")
    print(
        f"{'latency p99 / max':>24}: {latency['p99']:.1f} / {latency['max']:.1f} ms"
        f"   (target for the portal: p99 <= {PORTAL_TARGET_P99_MS} ms)"
    )
    print(f"{'refused':>24}: {len(burst.refusals)}")
    print(f"{'in the log / read model':>24}: {logged:,} / {rows:,}")
    print(f"{'read models':>24}: {problems or 'agree with the log'}")
    print(f"{'reopen (replay + checks)':>24}: {reopen_s:.1f} s, state {'identical' if same else 'DIFFERENT'}")
    for line in burst.refusals[:5]:
        print("  refused:", line)
    if args.json is not None:
        args.json.write_text(json.dumps({**figures, "latencies_s": sorted(burst.latencies)}, indent=1))
    ok = not burst.refusals and logged == rows == len(commands) and not problems and same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
