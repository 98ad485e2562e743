"""Fixtures for the portal's tests: a fresh tiny world per test.

Passwords are hashed with Argon2 at its cheapest parameters here: the production
parameters cost about 0.3 s per hash on this machine, and these tests create and sign in
to many accounts. What is tested (a password is checked, a wrong one refused) is the same.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    # Starlette's TestClient announces a future switch of HTTP client library; nothing to act on here.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient  # noqa: F401

from web_world import World, make_world


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    from argon2 import PasswordHasher

    from matchweek.store import accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        accounts._dummy_hash.cache_clear()
        yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def world() -> Iterator[World]:
    """The tiny market with its Main Match done and every account; SOAP not started; clock at Mon 09:00."""
    with make_world() as w:
        yield w


@pytest.fixture
def listed_world(world: World) -> World:
    """The world with SOAP started and the List of Unfilled Programs out (clock at Mon 11:00)."""
    world.start_soap()
    world.move_clock("Mon 11:00")
    return world
