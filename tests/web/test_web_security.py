"""Security of the portal: sign-in and its throttling, session cookies, CSRF, headers, body limits."""

from __future__ import annotations

import json

import pytest
from web_world import PASSWORD, SECRET, World, bearer, make_world

from matchweek.web import PortalSettings
from matchweek.web.sessions import COOKIE_NAME


def _set_cookie(response: object) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    (cookie,) = [h for h in headers if h.startswith(COOKIE_NAME + "=")]
    return cookie


# --- signing in -----------------------------------------------------------------------------------


def test_signing_in_lands_each_role_on_its_home_page(world: World) -> None:
    for username, home in (
        ("operator", "/operator"),
        ("director", "/program"),
        ("applicant-A01", "/applicant"),
    ):
        v = world.client()
        r = v.sign_in(username)
        assert r.status_code == 303
        assert r.headers["location"] == home
        assert v.page(home).status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(world: World) -> None:
    v = world.client()
    r = v.sign_in("operator", "not-the-password")
    assert r.status_code == 401
    assert "Wrong username or password." in r.text
    assert v.page("/operator", follow_redirects=False).status_code == 303


def test_five_failures_per_username_and_address_block_sign_in_for_the_window(world: World) -> None:
    v = world.client(address="198.51.100.7")
    for _ in range(5):
        assert v.sign_in("operator", "wrong-password").status_code == 401
    blocked = v.sign_in("operator", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "60"
    assert "too many failed sign-ins for this username from your address: try again in 60 s" in blocked.text
    # Another address, or another username from this address, is not blocked.
    assert world.client(address="198.51.100.8").sign_in("operator").status_code == 303
    assert v.sign_in("director").status_code == 303
    # Once the oldest failure leaves the window, the pair may try again.
    world.throttle_time[0] += 30
    assert v.sign_in("operator").status_code == 429
    world.throttle_time[0] += 31
    assert v.sign_in("operator").status_code == 303


def test_the_api_sign_in_is_throttled_the_same_way(world: World) -> None:
    http = world.client(address="198.51.100.9").http
    for _ in range(5):
        r = http.post("/api/session", json={"username": "director", "password": "nope-nope"})
        assert r.status_code == 401
        assert r.json() == {"detail": "wrong username or password"}
    r = http.post("/api/session", json={"username": "director", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["detail"].startswith("too many failed sign-ins for this username from your address")


def test_sign_in_follows_a_local_next_page_but_never_another_site(world: World) -> None:
    v = world.client()
    v.page("/login")
    r = v.form("/login", {"username": "operator", "password": PASSWORD, "next": "/operator/audit"})
    assert r.headers["location"] == "/operator/audit"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        v = world.client()
        v.page("/login")
        r = v.form("/login", {"username": "operator", "password": PASSWORD, "next": hostile})
        assert r.headers["location"] == "/operator"


# --- session cookies ------------------------------------------------------------------------------


def test_the_session_cookie_is_http_only_same_site_lax_and_not_secure_over_http(world: World) -> None:
    v = world.client()
    r = v.sign_in("operator")
    cookie = _set_cookie(r)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https() -> None:
    with make_world() as w:
        v = w.client(base_url="https://testserver")
        assert "Secure" in _set_cookie(v.sign_in("operator"))


def test_secure_cookies_can_be_forced_on_for_a_proxy_that_terminates_https() -> None:
    with make_world(settings=PortalSettings(secret_key=SECRET, secure_cookies=True)) as w:
        v = w.client()
        r = v.http.get("/login")
        assert "Secure" in _set_cookie(r)


def test_signing_in_starts_a_new_session_so_a_planted_cookie_is_useless(world: World) -> None:
    v = world.client()
    v.page("/login")
    before = v.http.cookies.get(COOKIE_NAME)
    anonymous_token = v.token
    v.form("/login", {"username": "operator", "password": PASSWORD})
    after = v.http.cookies.get(COOKIE_NAME)
    assert before and after and before != after
    v.page("/operator")
    assert v.token != anonymous_token


def test_a_tampered_cookie_is_no_session(world: World) -> None:
    v = world.client()
    v.sign_in("operator")
    value = v.http.cookies.get(COOKIE_NAME)
    assert value is not None
    v.http.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    r = v.page("/operator", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_signing_out_revokes_the_session_even_for_a_copied_cookie(world: World) -> None:
    v = world.client()
    v.sign_in("operator")
    copied = v.http.cookies.get(COOKIE_NAME)
    v.page("/operator")
    assert v.act("/logout", {}) == [("ok", "You are signed out.")]
    thief = world.client()
    thief.http.cookies.set(COOKIE_NAME, copied or "")
    assert thief.page("/operator", follow_redirects=False).status_code == 303


def test_a_bearer_token_stops_working_once_signed_out(world: World) -> None:
    http = world.client().http
    headers = bearer(http, "operator")
    assert http.get("/api/session", headers=headers).json()["username"] == "operator"
    assert http.delete("/api/session", headers=headers).status_code == 204
    r = http.get("/api/session", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_session_signed_out_stays_refused_after_the_portal_restarts(world: World) -> None:
    from fastapi.testclient import TestClient

    from matchweek.web import create_app

    v = world.client()
    v.sign_in("operator")
    copied = v.http.cookies.get(COOKIE_NAME)
    http = world.client().http
    headers = bearer(http, "operator")
    kept = bearer(http, "director")
    v.page("/operator")
    assert v.act("/logout", {}) == [("ok", "You are signed out.")]
    assert http.delete("/api/session", headers=headers).status_code == 204
    # A new portal process on the same store (same secret key): it knows only what the store kept.
    restarted = TestClient(
        create_app(world.store, clock_tick_seconds=0, settings=PortalSettings(secret_key=SECRET)),
        base_url="http://testserver",
    )
    assert restarted.get("/api/session", headers=headers).status_code == 401
    restarted.cookies.set(COOKIE_NAME, copied or "")
    assert restarted.get("/operator", follow_redirects=False).status_code == 303
    assert restarted.get("/api/session", headers=kept).json()["username"] == "director"


def test_a_weak_secret_key_is_refused() -> None:
    from matchweek.web.settings import PortalConfigError

    with pytest.raises(PortalConfigError, match="at least 32 characters"):
        PortalSettings(secret_key="short")


# --- CSRF -----------------------------------------------------------------------------------------


def test_a_form_without_a_csrf_token_is_refused_and_changes_nothing(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    v.page("/applicant/apply/1000001C0")
    r = v.form("/applicant/apply/1000001C0", {"personal_statement": "A01-PS1"}, token=False)
    assert r.status_code == 403
    assert "CSRF check failed" in r.text
    assert "reload the page and try again" in r.text
    assert listed_world.store.applications_of("A01") == []


def test_a_csrf_token_from_another_session_is_refused(listed_world: World) -> None:
    mallory = listed_world.client()
    mallory.sign_in("applicant-A02")
    mallory.page("/applicant")
    victim = listed_world.client()
    victim.sign_in("applicant-A01")
    victim.token = mallory.token
    r = victim.form("/applicant/apply/1000001C0", {"personal_statement": "A01-PS1"})
    assert r.status_code == 403
    assert listed_world.store.applications_of("A01") == []


def test_the_sign_in_form_itself_needs_the_token(world: World) -> None:
    v = world.client()
    r = v.http.post("/login", data={"username": "operator", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403


def test_api_calls_with_the_cookie_need_the_csrf_header_and_bearer_calls_do_not(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    body = {"program": "1000001C0"}
    refused = v.http.post("/api/applicant/applications", json=body)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("the form's security token is missing or out of date")
    accepted = v.http.post("/api/applicant/applications", json=body, headers=v.api_headers())
    assert accepted.status_code == 201
    other = listed_world.client().http
    r = other.post(
        "/api/applicant/applications", json={"program": "1000002C0"}, headers=bearer(other, "applicant-A01")
    )
    assert r.status_code == 201
    assert [a.program for a in listed_world.store.applications_of("A01")] == ["1000001C0", "1000002C0"]


# --- headers and limits ---------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(world: World) -> None:
    v = world.client()
    for path in ("/login", "/api/session", "/static/portal.css", "/nowhere"):
        r = v.http.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert v.http.get("/login").headers["cache-control"] == "no-store"


def test_pages_load_nothing_from_another_site(world: World) -> None:
    v = world.client()
    v.sign_in("operator")
    for path in ("/login", "/operator", "/operator/dashboard"):
        html = v.page(path).text
        assert "http://" not in html.replace("http://testserver", "")
        assert "https://" not in html
        assert "//cdn" not in html


def test_an_oversized_body_is_refused_with_413(listed_world: World) -> None:
    http = listed_world.client().http
    headers = bearer(http, "director")
    huge = {"applicants": ["A01"] * 400_000}
    r = http.put(
        "/api/programs/1000001C0/preference-list",
        content=json.dumps(huge),
        headers={**headers, "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json() == {"detail": "the request body is larger than the 2 MB this address accepts"}


def test_a_chunked_body_that_grows_past_the_limit_is_cut_off(listed_world: World) -> None:
    http = listed_world.client().http
    headers = bearer(http, "director")

    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'{"applicants": ['
        for _ in range(300_000):
            yield b'"A01", '
        yield b'"A01"]}'

    r = http.put(
        "/api/programs/1000001C0/preference-list",
        content=chunks(),
        headers={**headers, "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_the_openapi_document_is_served_but_no_page_that_loads_a_cdn(world: World) -> None:
    http = world.client().http
    doc = http.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "matchweek clearinghouse portal"
    assert all(path.startswith("/api/") for path in doc["paths"])
    assert http.get("/docs").status_code == 404
    assert http.get("/redoc").status_code == 404


def test_htmx_is_served_from_the_package(world: World) -> None:
    http = world.client().http
    r = http.get("/static/vendor/htmx.min.js")
    assert r.status_code == 200
    assert r.text.startswith("var htmx=function()")
    plotly = http.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200
    assert b"plotly.js v" in plotly.content[:2000]
