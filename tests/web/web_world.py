"""A tiny hand-made market for the portal's tests, a portal on it, and a client that behaves like a browser.

The market has six programs and seven applicants, built so that after the Main Match:

- ``1000001C0`` (categorical, Internal Medicine, OH, J-1, 2 positions) and ``1000002C0``
  (categorical, Family Medicine, TX, no visa, 1 position) are unfilled;
- ``1000003P0`` (preliminary surgery, OH, J-1 and H-1B, 1 position) is unfilled;
- ``1000004A0`` (advanced radiology, 1 position) is filled by A04, who is left partially matched;
- ``1000005A0`` (advanced dermatology, 1 position) is unfilled;
- ``1000006C0`` (categorical pediatrics) is filled by A03, who is matched;
- A01, A02, A05, A06 are unmatched; A05 is not verified; A07 is unmatched and has no documents.

Accounts: ``operator``, ``director`` (programs 1000001C0 and 1000002C0), ``prelim``
(1000003P0), and ``applicant-A01`` ... ``applicant-A07``; every password is :data:`PASSWORD`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from matchweek.model import (
    Applicant,
    ApplicantKind,
    Document,
    Exam,
    ExamResult,
    Market,
    Policy,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
    WeekTime,
)
from matchweek.store import Role, Store, WeekClock
from matchweek.web import PortalSettings, create_app
from matchweek.web.throttle import LoginThrottle

PASSWORD = "portal-test-password"
SECRET = "k" * 48
POSTGRES = os.environ.get("MATCHWEEK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

IM, FM, PRELIM, RADIOLOGY, DERM, PEDS = (
    "1000001C0",
    "1000002C0",
    "1000003P0",
    "1000004A0",
    "1000005A0",
    "1000006C0",
)


def _docs(applicant: str, specialty: str, letters: int) -> dict[str, tuple[Document, ...]]:
    return {
        "personal_statements": (Document(f"{applicant}-PS1", specialty),),
        "letters": tuple(
            Document(f"{applicant}-L{i}", specialty, f"Dr. L{i}") for i in range(1, letters + 1)
        ),
    }


def tiny_market() -> Market:
    """The market described in the module docstring."""
    programs = (
        Program(
            IM,
            Track.CATEGORICAL,
            2,
            name="Riverside Internal Medicine",
            specialty="Internal Medicine",
            state="OH",
            visa=(Visa.J1,),
            soap=True,
            img_share=0.45,
        ),
        Program(
            FM,
            Track.CATEGORICAL,
            1,
            name="Plains Family Medicine",
            specialty="Family Medicine",
            state="TX",
            soap=True,
            img_share=0.10,
        ),
        Program(
            PRELIM,
            Track.PRELIMINARY,
            1,
            name="Lakeside Surgery Preliminary",
            specialty="Surgery",
            state="OH",
            visa=(Visa.J1, Visa.H1B),
            soap=True,
            img_share=0.30,
        ),
        Program(
            RADIOLOGY,
            Track.ADVANCED,
            1,
            rank_list=("A04",),
            name="Metro Radiology",
            specialty="Diagnostic Radiology",
            state="NY",
            soap=True,
        ),
        Program(
            DERM,
            Track.ADVANCED,
            1,
            name="Coastal Dermatology",
            specialty="Dermatology",
            state="CA",
            soap=True,
            img_share=0.05,
        ),
        Program(
            PEDS,
            Track.CATEGORICAL,
            1,
            rank_list=("A03",),
            name="Children's Pediatrics",
            specialty="Pediatrics",
            state="PA",
            soap=True,
        ),
    )
    applicants = (
        Applicant(
            "A01",
            ApplicantKind.US_IMG,
            graduation_year=2024,
            us_clinical_months=6,
            ties=("OH",),
            exams=(ExamResult(Exam.USMLE_STEP1, True), ExamResult(Exam.USMLE_STEP2_CK, True, 1, 241)),
            **_docs("A01", "Internal Medicine", 5),
        ),
        Applicant(
            "A02",
            ApplicantKind.NON_US_IMG,
            graduation_year=2021,
            visa_need=Visa.J1,
            us_clinical_months=2,
            exams=(ExamResult(Exam.USMLE_STEP1, True, 2), ExamResult(Exam.USMLE_STEP2_CK, True, 1, 228)),
            red_flags=(RedFlag.REMEDIATION,),
            **_docs("A02", "Internal Medicine", 3),
        ),
        Applicant(
            "A03",
            ApplicantKind.US_MD,
            rank_list=(RankEntry(PEDS),),
            graduation_year=2025,
            **_docs("A03", "Pediatrics", 3),
        ),
        Applicant(
            "A04",
            ApplicantKind.US_DO,
            rank_list=(RankEntry(RADIOLOGY),),
            graduation_year=2025,
            exams=(ExamResult(Exam.COMLEX_LEVEL2_CE, True, 1, 610),),
            ties=("NY",),
            **_docs("A04", "Surgery", 2),
        ),
        Applicant(
            "A05",
            ApplicantKind.US_MD,
            verified=False,
            graduation_year=2025,
            **_docs("A05", "Family Medicine", 2),
        ),
        Applicant(
            "A06",
            ApplicantKind.US_MD,
            graduation_year=2025,
            us_clinical_months=12,
            ties=("TX",),
            exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 1, 250),),
            **_docs("A06", "Family Medicine", 4),
        ),
        Applicant("A07", ApplicantKind.PRIOR_GRAD, graduation_year=2015),
    )
    return Market(programs=programs, applicants=applicants)


class FakeWall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 17, 13, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    """A store on the tiny market (Main Match done), its portal, and the clocks behind them."""

    store: Store
    app: FastAPI
    wall: FakeWall
    throttle_time: list[float]

    @property
    def clock(self) -> WeekClock:
        return self.store.clock

    def start_soap(self, **policy: Any) -> None:
        self.store.start_soap(Policy().with_values(policy), actor="operator")

    def move_clock(self, at: str) -> None:
        """Move the week to ``at`` and fire what is due (as the operator's portal button does)."""
        self.store.clock.set(WeekTime.parse(at))
        self.store.tick(actor="operator")

    def client(self, *, base_url: str = "http://testserver", address: str = "203.0.113.9") -> Visitor:
        return Visitor(TestClient(self.app, base_url=base_url, client=(address, 50000)))


def create_accounts(store: Store) -> None:
    """The accounts of the module docstring."""
    store.create_account("operator", PASSWORD, Role.OPERATOR, display_name="The operator")
    store.create_account("director", PASSWORD, Role.PROGRAM, programs=(IM, FM), display_name="IM and FM")
    store.create_account("prelim", PASSWORD, Role.PROGRAM, programs=(PRELIM,))
    for i in range(1, 8):
        store.create_account(f"applicant-A0{i}", PASSWORD, Role.APPLICANT, applicant=f"A0{i}")


@contextmanager
def make_world(
    *, settings: PortalSettings | None = None, url: str = "sqlite://", accounts: bool = True
) -> Iterator[World]:
    """A fresh world: the tiny market loaded, its Main Match run, every account created (unless
    ``accounts`` is False), SOAP not started."""
    wall = FakeWall()
    store = Store(url, clock=WeekClock(WeekTime.parse("Mon 09:00"), wall_clock=wall))
    try:
        store.load_market(tiny_market(), actor="operator")
        store.run_main_match(actor="operator")
        if accounts:
            create_accounts(store)
        throttle_time = [0.0]
        throttle = LoginThrottle(per_user=5, per_address=50, window=60.0, now=lambda: throttle_time[0])
        app = create_app(
            store,
            clock_tick_seconds=0,
            settings=settings or PortalSettings(secret_key=SECRET),
            throttle=throttle,
        )
        yield World(store, app, wall, throttle_time)
    finally:
        store.close()


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_FLASH = re.compile(r'<p class="flash flash-(ok|error|warn)"[^>]*>([^<]*)</p>')


class Visitor:
    """A browser-like client: signs in through the form, keeps its cookie and its page's CSRF token."""

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.token: str | None = None

    def page(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET a page, remembering the CSRF token it carries."""
        r = self.http.get(path, **kwargs)
        found = _TOKEN.search(r.text)
        if found:
            self.token = found.group(1)
        return r

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        """Sign in through the form; when it succeeds, the home page is fetched for its CSRF token."""
        self.page("/login")
        r = self.form("/login", {"username": username, "password": password})
        if r.status_code == 303:
            self.page(r.headers["location"])
        return r

    def form(
        self, path: str, data: dict[str, Any], *, follow: bool = False, token: bool = True
    ) -> httpx.Response:
        """POST a form as the page would, with the CSRF token unless ``token`` is False."""
        fields = dict(data)
        if token and self.token is not None:
            fields["csrf_token"] = self.token
        r = self.http.post(path, data=fields, follow_redirects=follow)
        found = _TOKEN.search(r.text)
        if found:
            self.token = found.group(1)
        return r

    def act(self, path: str, data: dict[str, Any]) -> list[tuple[str, str]]:
        """POST a form, follow its redirect, and return the messages the next page shows."""
        r = self.form(path, data, follow=True)
        return flash_messages(r.text)

    def api_headers(self) -> dict[str, str]:
        """Headers for an API call made with the cookie session (the CSRF token in its header)."""
        if self.token is None:
            self.page("/")
        return {"X-CSRF-Token": self.token or ""}


def flash_messages(html: str) -> list[tuple[str, str]]:
    """The one-line messages a page shows, as (kind, text) with HTML entities resolved."""
    from html import unescape

    return [(kind, unescape(text)) for kind, text in _FLASH.findall(html)]


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for an API client signed in with ``POST /api/session``."""
    r = client.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh schema on the test PostgreSQL server (``MATCHWEEK_TEST_POSTGRES``,
    default 127.0.0.1:5432, database ``test``), dropped afterwards. Without the server the test
    is skipped, except under CI (``CI`` set), where it fails."""
    import pytest

    try:
        engine = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES} is unreachable under CI: {e}")
        pytest.skip(f"PostgreSQL at {POSTGRES} is unreachable")
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
