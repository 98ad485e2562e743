"""Fuzzing the JSON API from its OpenAPI document (Schemathesis): no input, valid or not, gets a 5xx.

Every operation is called with generated valid and invalid requests as each role (a fresh
bearer token per call, minted by the portal's session keeper, so a generated sign-out or
failed sign-in cannot lock the run out). The world starts before SOAP, so the operator's
generated calls also load markets, start SOAP under generated policies and move the clock.
Besides "no server error", responses must have a declared content type and, when
successful, match the schema the document declares. Examples are bounded and derandomized.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)
from web_world import World, create_accounts, make_world

_stack = contextlib.ExitStack()
# The schema is read when the module is collected, so the world is made then; its accounts are
# created when its tests start (with the cheap password hashing the other portal tests use).
WORLD: World = _stack.enter_context(make_world(accounts=False))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", WORLD.app)

ACCOUNTS = {"operator": "operator", "program": "director", "applicant": "applicant-A01"}


@pytest.fixture(scope="module", autouse=True)
def _world_with_accounts() -> Iterator[None]:
    create_accounts(WORLD.store)
    yield
    _stack.close()


def _token(username: str) -> str:
    keeper = WORLD.app.state.portal.keeper
    return keeper.token(keeper.new(username))


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_input_gets_a_server_error(case: schemathesis.Case, role: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_token(ACCOUNTS[role])}"},
        checks=[
            not_a_server_error,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )
