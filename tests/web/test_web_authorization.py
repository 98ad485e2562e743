"""Authorization, enforced server-side on every route: who may see and do what.

The route table test walks every route the app has, so a route added later without a
role check fails here.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from web_world import DERM, FM, IM, PRELIM, World, bearer

PUBLIC = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("POST", "/api/session")}
"""Routes anyone may reach."""

SIGNED_IN_ANY_ROLE = {("GET", "/api/session"), ("DELETE", "/api/session"), ("POST", "/logout")}


def _routes(world: World) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, including those of included routers."""
    out = []
    pending = list(world.app.routes)
    while pending:
        route = pending.pop(0)
        included = getattr(route, "original_router", None)  # how FastAPI keeps an included router
        if included is not None:
            pending.extend(included.routes)
        elif isinstance(route, APIRoute):
            out.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return out


def _allowed_roles(method: str, path: str) -> set[str]:
    """Which roles each route is for, from the rule book of the portal."""
    if (method, path) in PUBLIC:
        return {"anonymous", "operator", "program", "applicant"}
    if (method, path) in SIGNED_IN_ANY_ROLE:
        return {"operator", "program", "applicant"}
    if path.startswith(("/operator", "/api/operator")):
        return {"operator"}
    if path.startswith(("/program", "/api/programs")):
        return {"operator", "program"}
    if path.startswith("/api/applicants/"):
        return {"operator", "applicant"}
    if path.startswith(("/applicant", "/api/applicant/")):
        return {"applicant"}
    raise AssertionError(f"route {method} {path} is not in the authorization table")


def _concrete(path: str, code: str) -> str:
    return path.replace("{code}", code).replace("{applicant_id}", "A02").replace("{name}", "market.json")


def _call(world: World, role: str | None, method: str, path: str) -> int:
    """The status of one call as ``role`` (None: anonymous), with a valid CSRF token."""
    accounts = {"operator": "operator", "program": "prelim", "applicant": "applicant-A01"}
    v = world.client()
    if role is not None:
        v.sign_in(accounts[role])
    else:
        v.page("/login")
    headers = v.api_headers()
    if path.startswith("/api/"):
        r = v.http.request(method, path, headers=headers, json={})
    else:
        r = v.http.request(
            method, path, headers=headers, data={"csrf_token": v.token or ""}, follow_redirects=False
        )
    return r.status_code


def test_every_route_is_in_the_authorization_table(world: World) -> None:
    routes = _routes(world)
    assert len(routes) > 40
    for method, path in routes:
        _allowed_roles(method, path)


def test_anonymous_visitors_reach_only_the_public_routes(listed_world: World) -> None:
    for method, path in _routes(listed_world):
        if (method, path) in PUBLIC:
            continue
        status = _call(listed_world, None, method, _concrete(path, IM))
        expected = 401 if path.startswith("/api/") else 303
        assert status == expected, f"{method} {path}: {status}"


@pytest.mark.parametrize("role", ["operator", "program", "applicant"])
def test_each_role_is_refused_every_route_not_for_it(listed_world: World, role: str) -> None:
    for method, path in _routes(listed_world):
        if role in _allowed_roles(method, path):
            continue
        status = _call(listed_world, role, method, _concrete(path, IM))
        assert status == 403, f"{role}: {method} {path}: {status}"


def test_a_program_account_is_refused_every_route_of_a_program_it_does_not_manage(
    listed_world: World,
) -> None:
    # "prelim" manages 1000003P0 only; IM is another program's.
    for method, path in _routes(listed_world):
        if "{code}" not in path:
            continue
        status = _call(listed_world, "program", method, _concrete(path, IM))
        assert status == 403, f"{method} {path}: {status}"


# --- applicants see only their own records ------------------------------------------------------------


def _applied(world: World, applicant: str, *programs: str) -> None:
    from matchweek.soap import SubmitApplication

    for code in programs:
        world.store.execute(
            SubmitApplication(world.clock.now(), applicant, code), actor=f"applicant-{applicant}"
        )


def _round_one_with_offers(world: World) -> None:
    """A01 and A02 apply to IM; IM certifies [A02, A01]; round 1 opens with offers to both."""
    from matchweek.soap import CertifyPreferenceList

    _applied(world, "A01", IM, FM)
    _applied(world, "A02", IM)
    world.move_clock("Tue 08:00")
    world.store.execute(CertifyPreferenceList(world.clock.now(), IM, ("A02", "A01")), actor="director")
    world.move_clock("Thu 09:00")


def test_an_applicant_cannot_reach_another_applicants_offers(listed_world: World) -> None:
    _round_one_with_offers(listed_world)
    http = listed_world.client().http
    mine = http.get("/api/applicants/A01/offers", headers=bearer(http, "applicant-A01"))
    assert mine.status_code == 200
    assert [(o["program"], o["status"]) for o in mine.json()] == [(IM, "open")]
    theirs = http.get("/api/applicants/A02/offers", headers=bearer(http, "applicant-A01"))
    assert theirs.status_code == 403
    assert theirs.json() == {"detail": "an applicant sees only its own status and offers"}
    assert http.get("/api/applicants/A02/status", headers=bearer(http, "applicant-A01")).status_code == 403
    # The operator sees anyone's.
    assert http.get("/api/applicants/A02/offers", headers=bearer(http, "operator")).json()[0]["program"] == IM


def test_an_applicant_cannot_answer_another_applicants_offer(listed_world: World) -> None:
    _round_one_with_offers(listed_world)
    http = listed_world.client().http
    # The API takes the applicant from the account: A01 "accepting IM" accepts its own offer only.
    r = http.post(
        "/api/applicant/offers/reject", json={"programs": [FM]}, headers=bearer(http, "applicant-A01")
    )
    assert r.status_code == 409
    assert r.json()["rule"] == "offer.reject.not_offered"
    offers = {o.program: o.status.value for o in _offers_of(listed_world, "A02")}
    assert offers == {IM: "open"}


def _offers_of(world: World, applicant: str) -> tuple:
    from matchweek.soap import offers_of

    return offers_of(world.store.state(), applicant)


def test_a_program_sees_only_applicants_who_applied_to_it(listed_world: World) -> None:
    _applied(listed_world, "A01", IM)
    _applied(listed_world, "A06", FM)
    listed_world.move_clock("Tue 08:00")
    http = listed_world.client().http
    headers = bearer(http, "director")
    table = http.get(f"/api/programs/{IM}/applicants", headers=headers).json()
    assert [a["id"] for a in table["applicants"]] == ["A01"]
    assert http.get(f"/api/programs/{IM}/applicants/A01", headers=headers).status_code == 200
    for stranger in ("A06", "A02", "A03", "NOBODY"):
        r = http.get(f"/api/programs/{IM}/applicants/{stranger}", headers=headers)
        assert r.status_code == 404
        assert r.json() == {"detail": f"applicant {stranger} has not applied to {IM}"}
    v = listed_world.client()
    v.sign_in("director")
    page = v.page(f"/program/{IM}/applicants/A06")
    assert page.status_code == 404
    assert "applicant A06 has not applied to 1000001C0" in page.text
    assert "A06" not in v.page(f"/program/{IM}/applicants").text


def test_a_program_never_sees_another_programs_list_or_offers(listed_world: World) -> None:
    _round_one_with_offers(listed_world)
    http = listed_world.client().http
    prelim = bearer(http, "prelim")
    for path in (
        f"/api/programs/{IM}/preference-list",
        f"/api/programs/{IM}/round-status",
        f"/api/programs/{IM}",
        "/api/applicants/A01/offers",
    ):
        assert http.get(path, headers=prelim).status_code == 403, path
    assert [p["code"] for p in http.get("/api/programs", headers=prelim).json()] == [PRELIM]
    director = bearer(http, "director")
    assert [p["code"] for p in http.get("/api/programs", headers=director).json()] == [IM, FM]
    assert http.get(f"/api/programs/{IM}/preference-list", headers=director).json()["certified"] == [
        "A02",
        "A01",
    ]


def test_preference_lists_never_reach_applicants(listed_world: World) -> None:
    _round_one_with_offers(listed_world)
    http = listed_world.client().http
    headers = bearer(http, "applicant-A01")
    assert http.get(f"/api/programs/{IM}/preference-list", headers=headers).status_code == 403
    for path in (
        "/api/applicant/status",
        "/api/applicant/offers",
        "/api/applicant/history",
        "/api/applicant/applications",
        "/api/applicant/unfilled",
    ):
        body = http.get(path, headers=headers).text
        assert "A02" not in body, path
    v = listed_world.client()
    v.sign_in("applicant-A01")
    for page in ("/applicant", "/applicant/offers", "/applicant/history", "/applicant/unfilled"):
        assert "A02" not in v.page(page).text, page


# --- the List of Unfilled Programs: only for the eligible, only what they may apply to -------------


def _unfilled(world: World, username: str) -> tuple[int, list[str] | str]:
    http = world.client().http
    r = http.get("/api/applicant/unfilled", headers=bearer(http, username))
    if r.status_code != 200:
        return r.status_code, r.json()["detail"]
    return 200, [p["code"] for p in r.json()["programs"]]


def test_the_unfilled_list_is_closed_until_it_is_released(world: World) -> None:
    world.start_soap()
    world.move_clock("Mon 10:00")
    assert _unfilled(world, "applicant-A01") == (
        403,
        "the List of Unfilled Programs is not open to you: "
        "The List of Unfilled Programs is released at Mon 11:00.",
    )
    world.move_clock("Mon 11:00")
    assert _unfilled(world, "applicant-A01") == (200, [IM, FM, PRELIM, DERM])


def test_the_unfilled_list_shows_only_what_each_applicant_may_apply_to(listed_world: World) -> None:
    # Partially matched, holding an advanced position: PGY-1-only programs only (§4).
    assert _unfilled(listed_world, "applicant-A04") == (200, [PRELIM])
    # Not verified, fully matched, or not in the market's SOAP: no list.
    status, detail = _unfilled(listed_world, "applicant-A05")
    assert (status, detail) == (
        403,
        "the List of Unfilled Programs is not open to you: "
        "Your eligibility has not been verified by your school (or ECFMG) yet.",
    )
    status, detail = _unfilled(listed_world, "applicant-A03")
    assert status == 403
    assert "Only applicants unmatched or partially matched in the Main Match take part in SOAP." in detail


def test_an_applicant_who_accepted_sees_no_more_programs(listed_world: World) -> None:
    _round_one_with_offers(listed_world)
    http = listed_world.client().http
    r = http.post(
        "/api/applicant/offers/accept",
        json={"programs": [IM], "confirm_binding": True},
        headers=bearer(http, "applicant-A01"),
    )
    assert r.status_code == 200
    assert _unfilled(listed_world, "applicant-A01") == (
        403,
        "the List of Unfilled Programs is not open to you: "
        "You hold every position you need: there is nothing more to apply for.",
    )


def test_applying_to_a_program_not_on_ones_list_is_refused_by_the_rules(listed_world: World) -> None:
    http = listed_world.client().http
    r = http.post("/api/applicant/applications", json={"program": IM}, headers=bearer(http, "applicant-A04"))
    assert r.status_code == 409
    body = r.json()
    assert body["rule"] == "apply.not_visible"
    assert body["section"] == "§4"
    assert body["record"] == "A04"
    assert body["detail"] == (
        "A04: cannot apply to 1000001C0: holds an advanced position and may not see full-training "
        "programs (rule §4 apply.not_visible)"
    )
    v = listed_world.client()
    v.sign_in("applicant-A04")
    assert v.page(f"/applicant/apply/{IM}").status_code == 404
