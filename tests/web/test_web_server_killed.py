"""The portal server killed with SIGKILL, mid-burst and mid-round, then restarted on its database.

A real ``matchweek serve`` process (``matchweek.web.serve.serve``) runs on 127.0.0.1 on an
SQLite file and, when the test server is there, on a schema of PostgreSQL. The week runs on
the small generated market (seed 1) through the JSON API:

1. At the list release, applicants send their applications from several threads at once,
   and the server is killed while they are in flight. After the restart every application
   the server answered 201 is there exactly once, nothing else is there but applications
   that were in flight, and nothing is half-recorded.
2. Programs certify their lists, round 1 opens, some offers are accepted and some rejected.
   The server is killed mid-round and restarted: the audit log, the SOAP result, every
   applicant's applications and offers and every program's list and round status are
   exactly as before, and the week goes on (an open offer can still be accepted, a binding
   acceptance still stands).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_world import PASSWORD, postgres_schema

from matchweek.match import run_match
from matchweek.model import Policy
from matchweek.soap import soap_universe
from matchweek.store import Role, Store
from matchweek.synth import generate_market

SECRET = "killed-" + "k" * 41
APPLICANTS = 24
THREADS = 6
KILL_AFTER = 60  # applications answered 201 before the server is killed mid-burst


@dataclass
class Cast:
    """The accounts made before the server starts."""

    applicants: list[str]
    programs: list[str]


def _prepare(url: str) -> Cast:
    """The small market, its Main Match, SOAP started; an operator, a director of every SOAP
    program and an account for each of the first applicants who can apply."""
    market = generate_market("small", 1)
    universe = soap_universe(market, run_match(market), Policy())
    ready = sorted(
        a.id
        for a in universe.applicants
        if a.holds is None and a.verified and a.can_start_july_1 and a.personal_statements and a.letters
    )[:APPLICANTS]
    programs = sorted(p.code for p in universe.programs)
    with Store(url) as store:
        store.load_market(market, actor="system")
        store.run_main_match(actor="system")
        store.start_soap(Policy(), actor="system")
        store.create_account("operator", PASSWORD, Role.OPERATOR)
        store.create_account("director", PASSWORD, Role.PROGRAM, programs=tuple(programs))
        for applicant in ready:
            store.create_account(f"app-{applicant}", PASSWORD, Role.APPLICANT, applicant=applicant)
    assert len(ready) == APPLICANTS
    return Cast(ready, programs)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A portal server process on ``url``, started and killed at will."""

    url: str
    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "MATCHWEEK_CLOCK_START": "Mon 09:00",
            "MATCHWEEK_CLOCK_SPEED": "1",
            "MATCHWEEK_SECRET_KEY": SECRET,
        }
        env.pop("MATCHWEEK_DATABASE_URL", None)
        self.starts += 1
        log = (self.folder / f"server-{self.starts}.log").open("wb")
        code = f"from matchweek.web.serve import serve; serve('127.0.0.1', {self.port}, False, {self.url!r})"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/login", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the portal server did not start:\n"
                    + (self.folder / f"server-{self.starts}.log").read_text()
                )
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


class Api:
    """An HTTP client on the server with ``username``'s bearer token.

    Each account signs in once (Argon2 makes sign-in slow on purpose); its token, signed with
    the server's secret key, still holds after a restart.
    """

    def __init__(self, server: Server, username: str) -> None:
        self.http = httpx.Client(base_url=server.base, timeout=30)
        if username not in server.tokens:
            r = self.http.post("/api/session", json={"username": username, "password": PASSWORD})
            assert r.status_code == 201, r.text
            server.tokens[username] = r.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {server.tokens[username]}"

    def get(self, path: str, **params: Any) -> Any:
        r = self.http.get(path, params=params)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    def close(self) -> None:
        self.http.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Server, Cast]]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'portal.db'}"
        else:
            url = stack.enter_context(postgres_schema("killed"))
        cast = _prepare(url)
        portal = Server(url, tmp_path)
        stack.callback(portal.stop)
        portal.start()
        yield portal, cast


def _move_clock(operator: Api, at: str) -> None:
    r = operator.http.post("/api/operator/clock", json={"at": at})
    assert r.status_code == 200, r.text


def _applications_to_send(server: Server, applicant: str) -> list[dict[str, Any]]:
    """What the applicant sends: each program it may apply to, with its first statement and letters."""
    api = Api(server, f"app-{applicant}")
    try:
        listing = api.get("/api/applicant/unfilled")
        documents = api.get("/api/applicant/documents")
    finally:
        api.close()
    statement = documents["personal_statements"][0]["id"]
    letters = [d["id"] for d in documents["letters"][: documents["letters_per_application"]]]
    cap = listing["applications_cap"] - listing["applications_used"]
    return [
        {"program": p["code"], "personal_statement": statement, "letters": letters}
        for p in listing["programs"][:cap]
    ]


@dataclass
class Burst:
    """Who sent what, and what the server answered before it died."""

    sent: dict[str, list[str]] = field(default_factory=dict)
    answered: dict[str, list[str]] = field(default_factory=dict)
    acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)


def _send_all(server: Server, applicant: str, bodies: list[dict[str, Any]], burst: Burst) -> None:
    if burst.enough.is_set():
        return  # the server is being killed: this applicant sends nothing
    api = Api(server, f"app-{applicant}")
    try:
        for body in bodies:
            with burst.lock:
                burst.sent.setdefault(applicant, []).append(body["program"])
            try:
                r = api.http.post("/api/applicant/applications", json=body)
            except httpx.TransportError:
                return  # the server is gone: this request was in flight
            assert r.status_code == 201, r.text
            with burst.lock:
                burst.answered.setdefault(applicant, []).append(body["program"])
                burst.acknowledged += 1
                if burst.acknowledged >= KILL_AFTER:
                    burst.enough.set()
    finally:
        api.close()


def _snapshot(server: Server, cast: Cast) -> dict[str, Any]:
    """Everything the operator, the director and each applicant can read, without wall-clock times
    (which a restarted clock places anew)."""
    operator = Api(server, "operator")
    director = Api(server, "director")
    try:
        events: list[dict[str, Any]] = []
        while True:
            page = operator.get("/api/operator/events", since=events[-1]["seq"] if events else 0)
            if not page:
                break
            events += page
        seen: dict[str, Any] = {
            "events": events,
            "soap_result": operator.get("/api/operator/soap-result"),
            "programs": {},
            "applicants": {},
        }
        for code in cast.programs:
            listing = director.get(f"/api/programs/{code}/preference-list")
            listing.pop("certify_by_utc")
            seen["programs"][code] = {
                "list": listing,
                "round": director.get(f"/api/programs/{code}/round-status"),
                "applicants": director.get(f"/api/programs/{code}/applicants"),
            }
        for applicant in cast.applicants:
            api = Api(server, f"app-{applicant}")
            try:
                offers = api.get("/api/applicant/offers")
                for offer in offers:
                    offer.pop("closes_at")
                seen["applicants"][applicant] = {
                    "status": api.get("/api/applicant/status"),
                    "applications": api.get("/api/applicant/applications"),
                    "offers": offers,
                }
            finally:
                api.close()
        return seen
    finally:
        operator.close()
        director.close()


def test_a_killed_server_loses_nothing_it_answered_and_resumes_the_week(server: tuple[Server, Cast]) -> None:
    portal, cast = server
    operator = Api(portal, "operator")
    _move_clock(operator, "Mon 11:00")  # status and the List of Unfilled Programs are released
    operator.close()

    # 1. Killed in the middle of the application burst.
    plans = {a: _applications_to_send(portal, a) for a in cast.applicants}
    assert sum(len(p) for p in plans.values()) > 2 * KILL_AFTER
    burst = Burst()
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(_send_all, portal, a, plans[a], burst) for a in cast.applicants]
        assert burst.enough.wait(timeout=120), "the burst never reached the kill point"
        portal.kill()
        for f in futures:
            f.result()
    assert burst.acknowledged < sum(len(p) for p in plans.values()), "the kill came after the burst"
    portal.start()

    operator = Api(portal, "operator")
    stored = [e["event"] for e in operator.get("/api/operator/events", limit=10_000)]
    submitted = [(e["applicant"], e["program"]) for e in stored if e["type"] == "application_submitted"]
    assert len(submitted) == len(set(submitted)), "an application is recorded twice"
    for applicant in cast.applicants:
        api = Api(portal, f"app-{applicant}")
        recorded = api.get("/api/applicant/applications")
        api.close()
        present = [a["program"] for a in recorded]
        answered = burst.answered.get(applicant, [])
        sent = burst.sent.get(applicant, [])
        assert present[: len(answered)] == answered, f"{applicant}: an application answered 201 is lost"
        # Besides those, only the one request in flight when the server died may have been recorded.
        assert present == sent[: len(present)] and len(present) - len(answered) <= 1, applicant
        assert sorted(p for a, p in submitted if a == applicant) == sorted(present), applicant
        chosen = {body["program"]: body for body in plans[applicant]}
        for application in recorded:
            body = chosen[application["program"]]
            assert application["personal_statement"] == body["personal_statement"], applicant
            assert application["letters"] == body["letters"], f"{applicant}: documents half-recorded"

    # 2. The week goes on: lists certified, round 1 open, answers given; killed mid-round.
    _move_clock(operator, "Tue 08:00")
    director = Api(portal, "director")
    ranked = 0
    for code in cast.programs:
        applied = [row["id"] for row in director.get(f"/api/programs/{code}/applicants")["applicants"]]
        if applied:
            r = director.http.put(f"/api/programs/{code}/preference-list", json={"applicants": applied})
            assert r.status_code == 200, r.text
            ranked += 1
    assert ranked > 0
    director.close()
    _move_clock(operator, "Thu 09:00")  # round 1 opens: offers go out
    operator.close()
    accepted, rejected, open_left = [], [], []
    for applicant in cast.applicants:
        api = Api(portal, f"app-{applicant}")
        offers = [o["program"] for o in api.get("/api/applicant/offers") if o["status"] == "open"]
        if offers and len(accepted) <= len(rejected):
            r = api.http.post(
                "/api/applicant/offers/accept", json={"programs": offers[:1], "confirm_binding": True}
            )
            assert r.status_code == 200, r.text
            accepted.append(applicant)
        elif offers and len(rejected) < len(open_left) + 1:
            r = api.http.post("/api/applicant/offers/reject", json={"programs": offers[:1]})
            assert r.status_code == 200, r.text
            rejected.append(applicant)
        elif offers:
            open_left.append((applicant, offers[0]))
        api.close()
    assert accepted and rejected and open_left, (accepted, rejected, open_left)

    before = _snapshot(portal, cast)
    portal.kill()
    portal.start()
    after = _snapshot(portal, cast)
    assert after == before

    # The restarted server goes on with the round: an open offer is accepted, a binding one stands.
    applicant, program = open_left[0]
    api = Api(portal, f"app-{applicant}")
    r = api.http.post("/api/applicant/offers/accept", json={"programs": [program], "confirm_binding": True})
    assert r.status_code == 200, r.text
    assert {o["program"]: o["status"] for o in r.json()}[program] == "accepted"
    api.close()
    api = Api(portal, f"app-{accepted[0]}")
    held = [o["program"] for o in api.get("/api/applicant/offers") if o["status"] == "accepted"]
    assert held == [
        o["program"] for o in before["applicants"][accepted[0]]["offers"] if o["status"] == "accepted"
    ]
    api.close()
