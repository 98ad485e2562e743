"""Load benchmark of the portal: a national SOAP's traffic replayed over HTTP against a running server.

1. Generates the market (``--scale``, ``--seed``), runs its Main Match and simulates SOAP
   offline with the behaviour models; the commands the portal's users sent (applications
   with their documents, certified preference lists, acceptances and rejections) are
   recovered from the simulated event log and grouped in the phases of the week: the
   Monday burst at the list release, then for each round the applications sent before
   it, the lists certified for it and the answers to its offers. ``--applicants N`` keeps
   the traffic of N entrants drawn at random (lists keep only them); the pure engine then
   replays that traffic offline to give the outcome the server must reach.
2. Seeds a throwaway database (a PostgreSQL schema, or an SQLite file with ``--url
   sqlite``): the market, the Main Match, SOAP started under the same policy, and an
   account for every entrant, every SOAP program and the operator, imported in bulk with
   passwords hashed beforehand (``Store.import_accounts``). Bearer tokens are issued with
   the server's secret key by the server's own ``SessionKeeper``, so sign-in's Argon2 cost
   is outside the measured traffic; ``--sign-ins N`` measures N sign-ins apart.
3. Starts ``matchweek serve`` as a child process on 127.0.0.1 (a free port) on that
   database, its clock at the list release running in real time, and waits until it
   answers and the list is out. The server is stopped at the end whatever happens.
4. Sends the Monday burst from this process (asyncio and aiohttp, ``--concurrency`` keep-alive
   connections, each applicant's applications in order on one of them; aiohttp's client costs
   about a tenth of httpx's CPU per request, so the load generator leaves the cores to the
   server): submissions per second, sustained over 10-second windows, latency percentiles,
   status counts, CPU used.
5. Checks the database: every application answered 201 is in the ``applications`` table
   and among the ``application_submitted`` events exactly once, and no refused one is.
6. Replays the rounds: the operator moves the clock to each phase (the schedule opens and
   closes rounds), programs certify their lists, applicants answer their offers; then the
   server's SOAP result must be identical to the offline one, and every request's outcome
   (accepted or refused) must be the engine's.
7. As a baseline, side by side: the same burst through ``Store.execute`` in process from as
   many threads as connections (``bench_store.py``), on a second throwaway database.

Run: ``.venv/bin/python benchmarks/bench_portal_load.py`` (national market, PostgreSQL on
127.0.0.1; 20 to 30 minutes). Bounded: a fixed number of requests, each with a timeout, each
phase with a deadline. Exit status 1 if a check fails; targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import orjson
from argon2 import PasswordHasher
from rich.console import Console
from rich.table import Table

import bench_match
from bench_match import machine, matchweek_command
from bench_store import (
    PORTAL_TARGET_P99_MS,
    PORTAL_TARGET_PER_S,
    POSTGRES,
    SQLITE,
    UNREACHABLE_EXIT,
    DatabaseUnreachable,
    ThreadedRun,
    execute_from_threads,
    latency_ms,
    seeded_store,
    stored_applications,
    throwaway_database,
)
from matchweek.formats.soap_result_json import soap_result_to_json
from matchweek.match import run_match
from matchweek.model import Market, Policy, SoapResult, WeekTime
from matchweek.soap import (
    Accept,
    ApplicationSubmitted,
    CertifyPreferenceList,
    Command,
    Event,
    OfferAccepted,
    OfferRejected,
    PreferenceListCertified,
    Reject,
    RoundOpened,
    RuleViolation,
    SoapEngine,
    StartSoap,
    SubmitApplication,
    soap_result,
)
from matchweek.store import Role
from matchweek.store.accounts import ImportedAccount
from matchweek.store.schedule import due_command
from matchweek.synth import generate_market
from matchweek.web.serve import CLOCK_SPEED_ENV, CLOCK_START_ENV
from matchweek.web.sessions import SessionKeeper
from matchweek.web.settings import SECRET_KEY_ENV, PortalSettings, generated_secret
from matchweek.week import simulate_soap

OPERATOR = "operator"
REQUEST_TIMEOUT_S = 60.0
"""No request waits longer for its answer (it then counts as unanswered)."""
READY_TIMEOUT_S = 300.0
"""The server must answer within this long of starting (it restores the market and replays the log)."""
STOP_TIMEOUT_S = 15.0
_PR_SET_PDEATHSIG = 1
WINDOW_S = 10.0
"""Sustained throughput is counted over windows of this length."""
MIN_RATE_PER_S = 20.0
"""A phase's deadline assumes at least this many requests a second (plus a minute)."""
IMPORTED_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Cheap Argon2id parameters, as a registration system might have used; renewed at first sign-in."""

out = Console(highlight=False, width=None if sys.stdout.isatty() else 130)
progress = Console(stderr=True, highlight=False)


# --- the traffic ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """Commands the portal's users send at one point of the week, each user's in the order given.

    The clock is moved to ``at`` first (the schedule's steps due by then happen).
    """

    name: str
    at: WeekTime
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Traffic:
    """A SOAP's traffic: the command that starts it, the users' phases in order, and when it ends."""

    start: StartSoap
    phases: tuple[Phase, ...]
    end: WeekTime

    @property
    def burst(self) -> Phase:
        return self.phases[0]


def traffic_of(start: StartSoap, events: Sequence[Event], policy: Policy) -> Traffic:
    """The users' commands behind a SOAP event log, in phases: the burst of applications at the list
    release, then for each round the applications before it, its certified lists and the answers to
    its offers. An acceptance's events (and the rejections it made) come from one ``Accept``; a
    user's consecutive rejections at one time from one ``Reject``."""
    phases: list[Phase] = []
    name, commands = "", []
    current_round = 0

    def switch(to: str) -> None:
        nonlocal name, commands
        if to != name:
            if commands:
                phases.append(Phase(name, commands[0].at, tuple(commands)))
            name, commands = to, []

    for event in events:
        if isinstance(event, RoundOpened):
            current_round = event.round
        elif isinstance(event, ApplicationSubmitted):
            switch("Monday burst" if current_round == 0 else f"round {current_round + 1} applications")
            commands.append(
                SubmitApplication(
                    event.at, event.applicant, event.program, event.personal_statement, event.letters
                )
            )
        elif isinstance(event, PreferenceListCertified):
            switch(f"round {current_round + 1} lists")
            commands.append(CertifyPreferenceList(event.at, event.program, event.applicants))
        elif isinstance(event, OfferAccepted | OfferRejected):
            if isinstance(event, OfferRejected) and event.automatic:
                continue  # made by the acceptance before it
            switch(f"round {current_round} answers")
            verb = Accept if isinstance(event, OfferAccepted) else Reject
            last = commands[-1] if commands else None
            if type(last) is verb and last.applicant == event.applicant and last.at == event.at:
                commands[-1] = verb(event.at, event.applicant, (*last.programs, event.program))
            else:
                commands.append(verb(event.at, event.applicant, (event.program,)))
    switch("")
    if not phases or phases[0].name != "Monday burst":
        phases.insert(0, Phase("Monday burst", WeekTime.parse(policy.list_release), ()))
    return Traffic(start, tuple(phases), WeekTime.parse(policy.soap_end))


def bounded(traffic: Traffic, applicants: Sequence[str]) -> Traffic:
    """Only ``applicants``' traffic: their commands, and lists keeping only them (a list is certified
    again only when what is left of it changed)."""
    keep = set(applicants)
    last: dict[str, tuple[str, ...]] = {}
    phases = []
    for phase in traffic.phases:
        commands: list[Command] = []
        for c in phase.commands:
            if isinstance(c, CertifyPreferenceList):
                kept = tuple(a for a in c.applicants if a in keep)
                if kept != last.get(c.program, ()):
                    last[c.program] = kept
                    commands.append(CertifyPreferenceList(c.at, c.program, kept))
            elif c.applicant in keep:  # type: ignore[union-attr]
                commands.append(c)
        if commands or phase is traffic.burst:
            phases.append(Phase(phase.name, phase.at, tuple(commands)))
    return Traffic(traffic.start, tuple(phases), traffic.end)


@dataclass
class Reference:
    """The pure engine's run of a traffic: its events, which commands it refused (by phase), the result."""

    events: list[Event]
    refused: list[set[int]]
    result: dict[str, Any]


def reference_run(traffic: Traffic) -> Reference:
    """Play ``traffic`` through the engine, the schedule's steps due before each phase first (as the
    server's clock makes them happen)."""
    engine = SoapEngine()
    engine.execute(traffic.start)
    refused: list[set[int]] = []
    for phase in traffic.phases:
        _fire_due(engine, phase.at)
        refusals = set()
        for k, command in enumerate(phase.commands):
            try:
                engine.execute(command)
            except RuleViolation:
                refusals.add(k)
        refused.append(refusals)
    _fire_due(engine, traffic.end)
    return Reference(engine.events, refused, _plain(soap_result(engine.state)))


def _fire_due(engine: SoapEngine, at: WeekTime) -> None:
    while (command := due_command(engine.state, at)) is not None:
        engine.execute(command)


def _plain(result: SoapResult) -> Any:
    """The ``matchweek.soap-result/1`` document of ``result`` as JSON values, to compare with one read
    from the API."""
    return orjson.loads(soap_result_to_json(result))


# --- accounts and tokens --------------------------------------------------------------------------------


def username_of(command: Command) -> str:
    """The account that sends ``command``."""
    if isinstance(command, CertifyPreferenceList):
        return f"program-{command.program}"
    return f"applicant-{command.applicant}"  # type: ignore[union-attr]


def imported_accounts(traffic: Traffic, applicants: Sequence[str]) -> tuple[list[ImportedAccount], dict]:
    """An account for the operator, every SOAP program and each of ``applicants``, with a random password
    each, hashed as a registration system would have; and the passwords by username."""
    passwords: dict[str, str] = {}
    records = []

    def add(username: str, role: Role, **extra: Any) -> None:
        password = secrets.token_urlsafe(12)
        passwords[username] = password
        records.append(ImportedAccount(username, IMPORTED_HASHER.hash(password), role, **extra))

    add(OPERATOR, Role.OPERATOR)
    for p in traffic.start.programs:
        add(f"program-{p.code}", Role.PROGRAM, programs=(p.code,))
    for a in applicants:
        add(f"applicant-{a}", Role.APPLICANT, applicant=a)
    return records, passwords


def bearer_headers(secret: str, usernames: Sequence[str]) -> dict[str, dict[str, str]]:
    """Request headers carrying a bearer token for each account, signed as the server signs them."""
    keeper = SessionKeeper(PortalSettings(secret_key=secret))
    return {
        u: {"authorization": f"Bearer {keeper.token(keeper.new(u))}", "content-type": "application/json"}
        for u in usernames
    }


# --- the server ---------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``matchweek serve`` child process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    ready_s: float

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server has used so far."""
        return process_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    ticks = os.sysconf("SC_CLK_TCK")
    return (total - idle) / ticks, total / ticks


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def portal_server(database: str, secret: str, clock_start: WeekTime, folder: Path) -> Iterator[Server]:
    """``matchweek serve`` on 127.0.0.1 and a free port, on ``database``, its clock at ``clock_start``
    running in real time; stopped (terminated, killed if need be) when the block ends."""
    port = free_port()
    env = {**os.environ, SECRET_KEY_ENV: secret, CLOCK_START_ENV: str(clock_start), CLOCK_SPEED_ENV: "1"}
    log = folder / "server.log"
    argv = [*matchweek_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*argv, "--database-url", database],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url, process, log)
        yield Server(url, process, log, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


def _stop_with_parent() -> None:
    """In the server's process before it starts: be sent SIGTERM when the benchmark's process dies, even
    if it is killed outright (Linux's parent-death signal), so no server is left running."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the server answers HTTP; RuntimeError if it exits or takes longer than the timeout."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            httpx.get(f"{url}/api/session", timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {READY_TIMEOUT_S:.0f} s")


# --- HTTP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """One request: who sends it, the method, the path and the JSON body."""

    user: str
    method: str
    path: str
    body: bytes


def call_of(command: Command) -> Call:
    """The API request by which a user sends ``command``."""
    user = username_of(command)
    if isinstance(command, SubmitApplication):
        body = {
            "program": command.program,
            "personal_statement": command.personal_statement,
            "letters": list(command.letters),
        }
        return Call(user, "POST", "/api/applicant/applications", orjson.dumps(body))
    if isinstance(command, CertifyPreferenceList):
        path = f"/api/programs/{command.program}/preference-list"
        return Call(user, "PUT", path, orjson.dumps({"applicants": list(command.applicants)}))
    if isinstance(command, Accept):
        body = {"programs": list(command.programs), "confirm_binding": True}
        return Call(user, "POST", "/api/applicant/offers/accept", orjson.dumps(body))
    if isinstance(command, Reject):
        return Call(
            user, "POST", "/api/applicant/offers/reject", orjson.dumps({"programs": list(command.programs)})
        )
    raise TypeError(f"no portal request sends {type(command).__name__}")


@dataclass
class PhaseRun:
    """A phase sent over HTTP: each request's status (0: no answer), start and latency, and the CPU used."""

    name: str
    concurrency: int
    statuses: list[int]
    starts: list[float]
    latencies: list[float]
    wall_s: float
    client_cpu_s: float
    server_cpu_s: float
    machine_busy_share: float
    refusals: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return len(self.statuses) / self.wall_s if self.wall_s > 0 else 0.0

    def windows(self) -> list[float]:
        """Requests answered per second in each whole ``WINDOW_S`` window of the phase."""
        if not self.starts:
            return []
        t0 = min(self.starts)
        counts = Counter(
            int((s + d - t0) // WINDOW_S) for s, d in zip(self.starts, self.latencies, strict=True)
        )
        whole = int(self.wall_s // WINDOW_S)
        return [counts.get(k, 0) / WINDOW_S for k in range(whole)]


def send_phase(
    server: Server, headers: dict[str, dict[str, str]], phase: Phase, concurrency: int
) -> PhaseRun:
    """Send a phase's commands over HTTP: each user's in order, ``concurrency`` users at once."""
    calls = [call_of(c) for c in phase.commands]
    sequences: dict[str, list[int]] = {}
    for k, call in enumerate(calls):
        sequences.setdefault(call.user, []).append(k)
    width = max(1, min(concurrency, len(sequences)))
    deadline = 60.0 + len(calls) / MIN_RATE_PER_S
    gc.collect()
    gc.freeze()  # the market, the simulation and the traffic live on; collections need not walk them
    busy0, total0 = machine_busy()
    cpu0, server0 = time.process_time(), server.cpu_seconds()
    started = time.perf_counter()
    statuses, starts, latencies, refusals = asyncio.run(
        _drive(server.url, headers, calls, list(sequences.values()), width, deadline)
    )
    wall = time.perf_counter() - started
    busy1, total1 = machine_busy()
    return PhaseRun(
        name=phase.name,
        concurrency=width,
        statuses=statuses,
        starts=starts,
        latencies=latencies,
        wall_s=wall,
        client_cpu_s=time.process_time() - cpu0,
        server_cpu_s=server.cpu_seconds() - server0,
        machine_busy_share=(busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0,
        refusals=refusals,
    )


async def _drive(
    url: str,
    headers: dict[str, dict[str, str]],
    calls: list[Call],
    sequences: list[list[int]],
    width: int,
    deadline: float,
) -> tuple[list[int], list[float], list[float], list[str]]:
    statuses = [0] * len(calls)
    starts = [0.0] * len(calls)
    latencies = [0.0] * len(calls)
    refusals: list[str] = []
    queue = iter(sequences)
    connector = aiohttp.TCPConnector(limit=width, limit_per_host=width)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as session:

        async def user() -> None:
            for sequence in queue:  # one iterator shared by every task: each user's calls go on one task
                for k in sequence:
                    call = calls[k]
                    t = time.perf_counter()
                    try:
                        async with session.request(
                            call.method, call.path, data=call.body, headers=headers[call.user]
                        ) as answer:
                            body = await answer.read()
                        statuses[k] = answer.status
                        if answer.status >= 300 and len(refusals) < 5:
                            refusals.append(f"{call.method} {call.path} as {call.user}: {body[:300]!r}")
                    except (aiohttp.ClientError, TimeoutError) as e:
                        if len(refusals) < 5:
                            refusals.append(f"{call.method} {call.path} as {call.user}: no answer ({e!r})")
                    starts[k], latencies[k] = t, time.perf_counter() - t

        await asyncio.wait_for(asyncio.gather(*(user() for _ in range(width))), deadline)
    return statuses, starts, latencies, refusals


class Operator:
    """The operator's calls that are not measured traffic: reading the week, moving the clock (a few
    calls, so httpx's simpler synchronous client)."""

    def __init__(self, server: Server, headers: dict[str, str]) -> None:
        self.client = httpx.Client(base_url=server.url, headers=headers, timeout=REQUEST_TIMEOUT_S)

    def get(self, path: str) -> Any:
        answer = self.client.get(path)
        answer.raise_for_status()
        return answer.json()

    def clock(self) -> WeekTime:
        return WeekTime.parse(self.get("/api/operator/overview")["clock"])

    def move_clock(self, at: WeekTime) -> float | None:
        """Move the clock to ``at`` if it is behind it (the steps due happen); seconds the call took."""
        if self.clock() >= at:
            return None
        t = time.perf_counter()
        answer = self.client.post("/api/operator/clock", json={"at": str(at)})
        seconds = time.perf_counter() - t
        if answer.status_code != 200:
            raise RuntimeError(f"moving the clock to {at} was refused: {answer.text}")
        return seconds

    def close(self) -> None:
        self.client.close()


def sign_ins(server: Server, passwords: dict[str, str], usernames: Sequence[str]) -> dict[str, list[float]]:
    """Seconds each sign-in (``POST /api/session``) took: the first (the imported hash is verified and
    renewed) and the next (today's hash verified), for each of ``usernames``."""
    times: dict[str, list[float]] = {"first": [], "next": []}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as client:
        for which in ("first", "next"):
            for username in usernames:
                t = time.perf_counter()
                answer = client.post(
                    "/api/session", json={"username": username, "password": passwords[username]}
                )
                times[which].append(time.perf_counter() - t)
                if answer.status_code != 201:
                    raise RuntimeError(f"signing in as {username} failed: {answer.text}")
    return times


# --- checks -------------------------------------------------------------------------------------------


def exactly_once(database: str, sent: Sequence[tuple[Phase, PhaseRun]]) -> list[str]:
    """Lines naming every application answered 2xx in ``sent`` that is not in the ``applications`` table and
    among the ``application_submitted`` events exactly once, every refused or unanswered one that is there,
    and any stored application that was never sent."""
    accepted: Counter[tuple[str, str]] = Counter()
    for phase, run in sent:
        for command, status in zip(phase.commands, run.statuses, strict=True):
            assert isinstance(command, SubmitApplication)
            accepted[command.applicant, command.program] += 200 <= status < 300
    rows, logged = stored_applications(database)
    problems = [
        f"{a} -> {p}: answered 2xx {n} time(s); {rows[a, p]} row(s), {logged[a, p]} event(s)"
        for (a, p), n in accepted.items()
        if not rows[a, p] == logged[a, p] == n <= 1
    ]
    problems += [f"{a} -> {p}: never sent but stored" for a, p in (rows | logged).keys() - accepted.keys()]
    return problems


def disagreements(phase: Phase, run: PhaseRun, refused: set[int]) -> list[str]:
    """Requests whose outcome (2xx, or a 409 refusal) is not what the engine decided offline."""
    lines = []
    for k, (command, status) in enumerate(zip(phase.commands, run.statuses, strict=True)):
        expected = 409 if k in refused else 200
        if (status != 409) if k in refused else not 200 <= status < 300:
            call = call_of(command)
            lines.append(f"{phase.name}: {call.path} as {call.user}: {status}, the engine's {expected}")
    return lines


# --- the benchmark ------------------------------------------------------------------------------------


@dataclass
class Measurements:
    """Everything the benchmark measured and checked."""

    facts: dict[str, Any] = field(default_factory=dict)
    setup_s: dict[str, float] = field(default_factory=dict)
    phases: list[PhaseRun] = field(default_factory=list)
    clock_moves: list[tuple[str, float]] = field(default_factory=list)
    sign_in_s: dict[str, list[float]] = field(default_factory=dict)
    baseline: ThreadedRun | None = None
    stored_problems: list[str] = field(default_factory=list)
    applications: list[int] = field(default_factory=list)
    """The status of every application sent in the week (the burst and between rounds)."""
    outcome_problems: list[str] = field(default_factory=list)
    result_identical: bool = False
    result_note: str = ""


def timed(m: Measurements, name: str, call: Callable[[], Any]) -> Any:
    progress.print(f"{name}...")
    m.setup_s[name], value = bench_match.timed(call)
    return value


@dataclass
class Week:
    """The simulated week the benchmark replays: its market and policy, the traffic and the engine's run."""

    market: Market
    policy: Policy
    traffic: Traffic
    reference: Reference
    entrants: list[str]


def simulated_week(args: argparse.Namespace, m: Measurements) -> Week:
    """Step 1: the market, its Main Match, the simulated SOAP, its traffic (bounded if asked) and the
    engine's run of that traffic (checked to be the simulated week when nothing is left out)."""
    policy = Policy()
    market = timed(m, "generate the market", lambda: generate_market(args.scale, args.seed))
    result = timed(m, "run the Main Match", lambda: run_match(market))
    run = timed(m, "simulate SOAP", lambda: simulate_soap(market, result, policy, args.seed))
    traffic = traffic_of(run.start, run.events, policy)
    entrants = sorted(a.id for a in run.start.applicants)
    if args.applicants is not None and args.applicants < len(entrants):
        entrants = sorted(random.Random(args.seed).sample(entrants, args.applicants))
        traffic = bounded(traffic, entrants)
    reference = timed(m, "replay the traffic through the engine", lambda: reference_run(traffic))
    if args.applicants is None and (
        reference.events != list(run.events) or reference.result != _plain(run.result)
    ):
        raise RuntimeError("the traffic recovered from the simulated log does not give the simulated week")
    m.facts.update(
        market_applicants=len(market.applicants),
        market_programs=len(market.programs),
        soap_entrants=len(run.start.applicants),
        soap_programs=len(run.start.programs),
        applicants_replayed=len(entrants),
        burst_applications=len(traffic.burst.commands),
        burst_applicants=len({c.applicant for c in traffic.burst.commands}),  # type: ignore[union-attr]
        round_requests=sum(len(p.commands) for p in traffic.phases[1:]),
        refused_by_engine=[len(r) for r in reference.refused],
        bounded=args.applicants is not None,
    )
    return Week(market, policy, traffic, reference, entrants)


def measure(args: argparse.Namespace, folder: Path) -> Measurements:
    """Steps 1 to 7."""
    m = Measurements()
    # The server's database is made first, so that an unreachable database server stops the run at once.
    with throwaway_database(args.url, keep=args.keep) as database:
        week = simulated_week(args, m)
        secret = generated_secret()
        records, passwords = timed(
            m, "hash the imported passwords", lambda: imported_accounts(week.traffic, week.entrants)
        )
        headers = bearer_headers(secret, list(passwords))

        def seed() -> None:
            store = seeded_store(database, week.market, week.policy, release=False)
            try:
                store.import_accounts(records)
            finally:
                store.close()

        timed(m, "seed the store (market, Main Match, SOAP started, accounts)", seed)
        progress.print("starting the server...")
        with portal_server(database, secret, week.traffic.burst.at, folder) as server:
            m.setup_s["server ready"] = server.ready_s
            try:
                replay_over_http(m, args, server, week, headers, passwords, database)
            except BaseException:
                progress.print(f"server log (last lines):\n{server.log_tail()}")
                raise
        if args.keep:
            progress.print(f"kept the database: {database}")

    progress.print("baseline: the same burst through Store.execute in process...")
    with throwaway_database(args.url) as database:
        store = seeded_store(database, week.market, week.policy)
        try:
            m.baseline = execute_from_threads(store, week.traffic.burst.commands, args.concurrency)
        finally:
            store.close()
    return m


def replay_over_http(
    m: Measurements,
    args: argparse.Namespace,
    server: Server,
    week: Week,
    headers: dict[str, dict[str, str]],
    passwords: dict[str, str],
    database: str,
) -> None:
    """Steps 4 to 6: sign-ins apart, the burst and its check, the rounds, the result."""
    traffic, reference = week.traffic, week.reference
    operator = Operator(server, headers[OPERATOR])
    try:
        overview = operator.get("/api/operator/overview")
        if not overview["soap"]["list_published"]:
            raise RuntimeError(f"the list is not out at {overview['clock']}: the burst would be refused")
        if args.sign_ins:
            sample = [u for u in passwords if u.startswith("applicant-")][: args.sign_ins]
            progress.print(f"{len(sample) * 2} sign-ins, apart from the traffic...")
            m.sign_in_s = sign_ins(server, passwords, sample)
        for number, phase in enumerate(traffic.phases):
            moved = operator.move_clock(phase.at)
            if moved is not None:
                m.clock_moves.append((f"clock to {phase.at} (before {phase.name})", moved))
            progress.print(f"{phase.name}: {len(phase.commands):,} requests...")
            run = send_phase(server, headers, phase, args.concurrency)
            m.phases.append(run)
            m.outcome_problems += disagreements(phase, run, reference.refused[number])
            if number == 0:
                progress.print("checking every application of the burst in the database...")
                m.stored_problems = exactly_once(database, [(phase, run)])
        progress.print("checking every application of the week in the database...")
        applied = [(p, r) for p, r in zip(traffic.phases, m.phases, strict=True) if _applications(p)]
        m.stored_problems += exactly_once(database, applied)
        m.applications = [s for _, r in applied for s in r.statuses]
        moved = operator.move_clock(traffic.end)
        if moved is not None:
            m.clock_moves.append((f"clock to {traffic.end} (SOAP ends)", moved))
        served = operator.get("/api/operator/soap-result")
    finally:
        operator.close()
    m.result_identical = served == reference.result
    if not m.result_identical:
        differing = [k for k in reference.result if served.get(k) != reference.result[k]]
        m.result_note = f"differs in {', '.join(differing) or 'its keys'}"


# --- the report ---------------------------------------------------------------------------------------


def _applications(phase: Phase) -> bool:
    return bool(phase.commands) and isinstance(phase.commands[0], SubmitApplication)


def verdict(ok: bool) -> str:
    return "pass" if ok else "[bold]FAIL[/bold]"


def report(m: Measurements, args: argparse.Namespace) -> bool:
    """Print the tables; whether every check passed."""
    facts = m.facts
    burst = m.phases[0]
    lat = latency_ms(burst.latencies)
    windows = burst.windows()
    sustained = statistics.median(windows) if windows else burst.per_second
    table = Table(
        title=f"The portal under the Monday burst ({args.scale} market, seed {args.seed}, "
        f"{args.concurrency} connections)"
    )
    for name in ("figure", "value", "target", "met"):
        table.add_column(name, justify="left" if name == "figure" else "right")
    table.add_row("applications sent", f"{len(burst.statuses):,}", "", "")
    table.add_row("wall time", f"{burst.wall_s:.1f} s", "", "")
    table.add_row(
        "submissions/s, whole burst",
        f"{burst.per_second:,.0f}",
        f">= {PORTAL_TARGET_PER_S}",
        verdict(burst.per_second >= PORTAL_TARGET_PER_S),
    )
    if windows:
        table.add_row(
            f"submissions/s, {WINDOW_S:.0f}-s windows: median (min, max)",
            f"{sustained:,.0f} ({min(windows):,.0f}, {max(windows):,.0f})",
            "",
            "",
        )
    table.add_row("latency p50 / p95", f"{lat['p50']:.1f} / {lat['p95']:.1f} ms", "", "")
    table.add_row(
        "latency p99",
        f"{lat['p99']:.1f} ms",
        f"<= {PORTAL_TARGET_P99_MS} ms",
        verdict(lat["p99"] <= PORTAL_TARGET_P99_MS),
    )
    table.add_row("latency max", f"{lat['max']:.1f} ms", "", "")
    table.add_row("statuses", _statuses(burst.statuses), "", "")
    table.add_row(
        "CPU: server / load generator",
        f"{burst.server_cpu_s / burst.wall_s:.0%} / {burst.client_cpu_s / burst.wall_s:.0%} of a core",
        "",
        "",
    )
    table.add_row("CPU: whole machine busy", f"{burst.machine_busy_share:.0%}", "", "")
    if m.baseline is not None:
        base = latency_ms(m.baseline.latencies)
        table.add_row(
            f"baseline: Store.execute in process, {m.baseline.threads} threads",
            f"{m.baseline.per_second:,.0f}/s, p50 {base['p50']:.1f} ms, p99 {base['p99']:.1f} ms",
            "",
            "",
        )
        table.add_row("HTTP / in process", f"{burst.per_second / m.baseline.per_second:.2f}", "", "")
    out.print(table)

    rounds = Table(title="Round-time traffic")
    for name in ("phase", "requests", "wall", "per s", "p50", "p99", "max", "statuses"):
        rounds.add_column(name, justify="left" if name in ("phase", "statuses") else "right")
    for run in m.phases[1:]:
        r = latency_ms(run.latencies)
        rounds.add_row(
            run.name,
            f"{len(run.statuses):,}",
            f"{run.wall_s:.1f} s",
            f"{run.per_second:,.0f}",
            f"{r['p50']:.1f} ms",
            f"{r['p99']:.1f} ms",
            f"{r['max']:.1f} ms",
            _statuses(run.statuses),
        )
    for name, seconds in m.clock_moves:
        rounds.add_row(name, "1", f"{seconds:.2f} s", "", "", "", "", "")
    out.print(rounds)

    if m.sign_in_s:
        first, later = latency_ms(m.sign_in_s["first"]), latency_ms(m.sign_in_s["next"])
        out.print(
            f"Sign-in (POST /api/session, apart from the traffic; Argon2): first, renewing the imported "
            f"hash: median {first['p50']:.0f} ms, max {first['max']:.0f} ms; next: median "
            f"{later['p50']:.0f} ms, max {later['max']:.0f} ms ({len(m.sign_in_s['first'])} accounts)."
        )
    setup = ", ".join(f"{k} {v:.1f} s" for k, v in m.setup_s.items())
    out.print(f"Set-up: {setup}.")
    out.print(
        f"Traffic: {facts['market_applicants']:,} applicants and {facts['market_programs']:,} programs in "
        f"the market; {facts['soap_entrants']:,} SOAP entrants ({facts['applicants_replayed']:,} replayed), "
        f"{facts['soap_programs']:,} SOAP programs; burst: {facts['burst_applications']:,} applications from "
        f"{facts['burst_applicants']:,} applicants; rounds: {facts['round_requests']:,} requests."
    )
    info = m.facts["machine"]
    out.print(
        f"Machine: {info['cpu']}, {info['logical_cores']} cores ({info['usable_cores']} usable), "
        f"{info['ram_gib']} GiB, {info['python']}; load average at start {info['load_average_at_start']}, "
        f"at end {[round(x, 2) for x in os.getloadavg()]}."
    )
    stored_ok = not m.stored_problems
    outcomes_ok = not m.outcome_problems
    accepted = sum(1 for s in m.applications if 200 <= s < 300)
    out.print(
        f"Check, exactly once (after the burst, and at the end for the week): {accepted:,} applications "
        f"answered 201 each once in the applications table and once among the application_submitted "
        f"events, {len(m.applications) - accepted:,} refused or unanswered and absent: {verdict(stored_ok)}"
        + "".join(f"\n  {line}" for line in m.stored_problems[:10])
    )
    out.print(
        f"Check, every request's outcome is the engine's: {verdict(outcomes_ok)}"
        + "".join(f"\n  {line}" for line in m.outcome_problems[:10])
    )
    against = "the simulation's" if not m.facts["bounded"] else "the engine's on the same traffic"
    out.print(
        f"Check, the server's SOAP result is identical to {against}: "
        f"{verdict(m.result_identical)} {m.result_note}"
    )
    for run in m.phases:
        for line in run.refusals[:3]:
            out.print(f"  {run.name}, refused: {line}")
    return stored_ok and outcomes_ok and m.result_identical


def _statuses(statuses: Sequence[int]) -> str:
    counts = Counter(statuses)
    return ", ".join(f"{'no answer' if s == 0 else s}: {n:,}" for s, n in sorted(counts.items()))


def document(m: Measurements, args: argparse.Namespace, ok: bool) -> dict[str, Any]:
    """Every figure and raw latency, for ``--json``."""
    return {
        "settings": {k: v for k, v in vars(args).items() if k != "json"},
        "facts": m.facts,
        "setup_s": m.setup_s,
        "phases": [
            {
                "name": r.name,
                "concurrency": r.concurrency,
                "requests": len(r.statuses),
                "wall_s": r.wall_s,
                "per_second": r.per_second,
                "windows_per_second": r.windows(),
                "latency_ms": latency_ms(r.latencies),
                "statuses": dict(Counter(str(s) for s in r.statuses)),
                "client_cpu_s": r.client_cpu_s,
                "server_cpu_s": r.server_cpu_s,
                "machine_busy_share": r.machine_busy_share,
                "latencies_s": r.latencies,
            }
            for r in m.phases
        ],
        "clock_moves_s": dict(m.clock_moves),
        "sign_in_s": m.sign_in_s,
        "baseline": None
        if m.baseline is None
        else {
            "threads": m.baseline.threads,
            "commands": len(m.baseline.latencies),
            "wall_s": m.baseline.wall_s,
            "per_second": m.baseline.per_second,
            "latency_ms": latency_ms(m.baseline.latencies),
            "refused": len(m.baseline.refusals),
        },
        "checks": {
            "exactly_once": not m.stored_problems,
            "outcomes_agree": not m.outcome_problems,
            "result_identical": m.result_identical,
            "passed": ok,
        },
    }


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=("small", "state", "national"))
    parser.add_argument("--seed", type=int, default=1, help="seed of the market and the simulated week")
    parser.add_argument("--applicants", type=int, default=None, help="replay only N entrants' traffic")
    parser.add_argument(
        "--url",
        default=POSTGRES,
        help=f"PostgreSQL server to make throwaway schemas in, or '{SQLITE}' for SQLite files "
        f"(default {POSTGRES})",
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="connections (applicants sending at once)"
    )
    parser.add_argument(
        "--sign-ins", type=int, default=10, help="accounts whose sign-ins are timed apart (0: none)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the server's database and log, and print where"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every figure and latency here")
    args = parser.parse_args(argv)
    if args.applicants is not None and args.applicants < 1:
        parser.error("--applicants must be at least 1")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    # Stopped by SIGTERM, still stop the server and drop the databases (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    facts = machine()
    folder = Path(tempfile.mkdtemp(prefix="matchweek-load-"))
    try:
        m = measure(args, folder)
    except DatabaseUnreachable as e:
        progress.print(str(e))
        return UNREACHABLE_EXIT
    finally:
        if args.keep:
            progress.print(f"kept the server log in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    m.facts["machine"] = facts
    ok = report(m, args)
    if args.json is not None:
        args.json.write_text(json.dumps(document(m, args, ok)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
