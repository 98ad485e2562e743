"""Fixtures for the store's tests: each test runs on SQLite and on PostgreSQL, on a database of its own.

PostgreSQL is the server on 127.0.0.1:5432 (database ``test``, trust
authentication); every database a test asks for is a fresh schema there,
dropped afterwards. Without a reachable server the PostgreSQL cases are
skipped, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_databases import POSTGRES, Databases, postgres_problem

from matchweek.match import run_match
from matchweek.model import Market, MatchResult
from matchweek.synth import generate_market


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """A source of fresh databases, once on SQLite and once on PostgreSQL."""
    kind = request.param
    if kind == "postgresql":
        problem = postgres_problem()
        if problem is not None:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL at {POSTGRES} is unreachable under CI: {problem}")
            pytest.skip(f"PostgreSQL at {POSTGRES} is unreachable: {problem}")
    dbs = Databases(kind, tmp_path)
    try:
        yield dbs
    finally:
        dbs.drop_all()


@pytest.fixture
def url(databases: Databases) -> str:
    """One fresh database."""
    return databases.url()


@pytest.fixture(scope="session")
def small_world() -> tuple[Market, MatchResult]:
    """The small generated market (seed 1) and its Main Match result."""
    market = generate_market("small", 1)
    return market, run_match(market)
