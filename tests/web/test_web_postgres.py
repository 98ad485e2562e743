"""The portal on PostgreSQL: the same flow through the API as on SQLite, on a schema of the test server.

The server is ``MATCHWEEK_TEST_POSTGRES`` (default: 127.0.0.1:5432, database ``test``, trust
authentication). Without it the test is skipped, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_world import FM, IM, World, bearer, make_world, postgres_schema


@pytest.fixture
def pg_world() -> Iterator[World]:
    with postgres_schema("web_test") as url, make_world(url=url) as world:
        yield world


def test_a_round_through_the_api_on_postgresql(pg_world: World) -> None:
    world = pg_world
    http = world.client().http
    operator = bearer(http, "operator")
    assert http.post("/api/operator/soap", json={}, headers=operator).status_code == 201
    http.post("/api/operator/clock", json={"at": "Mon 11:00"}, headers=operator)
    applicant = bearer(http, "applicant-A01")
    for code in (IM, FM):
        r = http.post(
            "/api/applicant/applications",
            json={"program": code, "personal_statement": "A01-PS1", "letters": ["A01-L1"]},
            headers=applicant,
        )
        assert r.status_code == 201, r.text
    http.post("/api/operator/clock", json={"at": "Tue 08:00"}, headers=operator)
    director = bearer(http, "director")
    for code in (IM, FM):
        assert (
            http.put(
                f"/api/programs/{code}/preference-list", json={"applicants": ["A01"]}, headers=director
            ).status_code
            == 200
        )
    http.post("/api/operator/clock", json={"at": "Thu 09:00"}, headers=operator)
    r = http.post(
        "/api/applicant/offers/accept", json={"programs": [FM], "confirm_binding": True}, headers=applicant
    )
    assert [(o["program"], o["status"]) for o in r.json()] == [(IM, "rejected"), (FM, "accepted")]
    document = http.get("/api/operator/soap-result", headers=operator).json()
    assert document["matches"] == [{"applicant": "A01", "program": FM, "round": 1}]
    applications = http.get("/api/applicant/applications", headers=applicant).json()
    assert [(a["program"], a["letters"]) for a in applications] == [(IM, ["A01-L1"]), (FM, ["A01-L1"])]
