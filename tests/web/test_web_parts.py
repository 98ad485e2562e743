"""The portal's parts on their own: sign-in throttle, session secret, serve's configuration, chart safety."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from web_world import World, bearer, tiny_market

from matchweek.formats import market_to_json
from matchweek.match import run_match
from matchweek.model import WeekTime
from matchweek.soap import CertifyPreferenceList, OfferAccepted, OfferRejected, SubmitApplication
from matchweek.web import serve
from matchweek.web.charts import dashboard_charts
from matchweek.web.settings import SECRET_KEY_ENV, PortalConfigError, secret_key
from matchweek.web.throttle import LoginThrottle


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_counts_failures_in_a_sliding_window() -> None:
    t = Ticks()
    throttle = LoginThrottle(per_user=3, per_address=100, window=60, now=t)
    for _ in range(2):
        throttle.failed("Ann", "10.0.0.1")
        t.now += 10
    assert throttle.retry_after("ann", "10.0.0.1") is None  # two failures: still allowed; names fold case
    throttle.failed("ANN", "10.0.0.1")  # third, at 1020
    assert throttle.retry_after("ann", "10.0.0.1") == 40  # the first failure (1000) leaves at 1060
    t.now = 1059.5
    assert throttle.retry_after("ann", "10.0.0.1") == 1
    t.now = 1060
    assert throttle.retry_after("ann", "10.0.0.1") is None
    throttle.succeeded("ann", "10.0.0.1")
    throttle.failed("ann", "10.0.0.1")
    assert throttle.retry_after("ann", "10.0.0.1") is None


def test_the_throttle_bounds_failures_per_address_across_usernames() -> None:
    t = Ticks()
    throttle = LoginThrottle(per_user=5, per_address=4, window=60, now=t)
    for name in ("a", "b", "c", "d"):
        throttle.failed(name, "10.0.0.2")
    assert throttle.retry_after("e", "10.0.0.2") == 60
    assert throttle.retry_after("e", "10.0.0.3") is None


@given(st.lists(st.floats(min_value=0, max_value=200), max_size=30), st.floats(min_value=0, max_value=300))
def test_the_throttle_blocks_exactly_when_the_window_holds_enough_failures(
    times: list[float], at: float
) -> None:
    t = Ticks()
    throttle = LoginThrottle(per_user=3, per_address=1000, window=60, now=t)
    for moment in sorted(times):
        t.now = moment
        throttle.failed("x", "a")
    t.now = max([at, *times])
    recent = [m for m in times if t.now - m < 60]
    assert (throttle.retry_after("x", "a") is not None) == (len(recent) >= 3)


def test_the_secret_key_comes_from_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, "from-the-environment-" + "x" * 20)
    assert secret_key(tmp_path / "key") == "from-the-environment-" + "x" * 20
    assert not (tmp_path / "key").exists()


def test_a_generated_secret_key_is_kept_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    key_file = tmp_path / "folder" / "matchweek-secret.key"
    first = secret_key(key_file)
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key(key_file) == first
    assert secret_key(None) != secret_key(None)  # no file: a fresh key for the process


def test_serve_reads_its_clock_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(serve.CLOCK_START_ENV, "Wed 13:30")
    monkeypatch.setenv(serve.CLOCK_SPEED_ENV, "120")
    clock = serve._clock(demo=False)
    assert (clock.now(), clock.speed) == (WeekTime.parse("Wed 13:30"), 120.0)
    monkeypatch.delenv(serve.CLOCK_START_ENV)
    monkeypatch.delenv(serve.CLOCK_SPEED_ENV)
    demo = serve._clock(demo=True)
    assert (demo.now(), demo.speed) == (WeekTime.parse("Mon 09:00"), 60.0)
    monkeypatch.setenv(serve.CLOCK_SPEED_ENV, "fast")
    with pytest.raises(PortalConfigError, match="MATCHWEEK_CLOCK_SPEED: must be a number, got 'fast'"):
        serve._clock(demo=False)


def test_serve_keeps_the_session_key_beside_an_sqlite_file(tmp_path: Path) -> None:
    assert (
        serve._key_file(f"sqlite:///{tmp_path}/portal.db", None) == tmp_path.resolve() / serve.KEY_FILE_NAME
    )
    assert serve._key_file("postgresql+psycopg://u@127.0.0.1/db", None) == Path.cwd() / serve.KEY_FILE_NAME


def test_chart_figures_cannot_close_their_script_block() -> None:
    market = tiny_market()
    hostile = "</script><script>alert(1)</script>"
    programs = tuple(replace(p, specialty=hostile) if p.code == "1000001C0" else p for p in market.programs)
    market = replace(market, programs=programs)
    from matchweek.model import Policy
    from matchweek.soap import SoapEngine, soap_universe
    from matchweek.week.stats import week_stats

    result = run_match(market)
    engine = SoapEngine()
    engine.execute(soap_universe(market, result, Policy()))
    stats = week_stats(market, result, engine.events)
    for chart in dashboard_charts(stats):
        assert "</script" not in chart.figure_json.lower()
        json.loads(chart.figure_json)  # still valid JSON


def test_a_market_upload_may_exceed_the_general_body_limit(world: World) -> None:
    from matchweek.model import Applicant, Document

    market = tiny_market()
    filler = tuple(
        Applicant(f"B{i:05d}", personal_statements=(Document(f"B{i:05d}-PS-" + "x" * 400, "Surgery"),))
        for i in range(6000)
    )
    body = market_to_json(replace(market, applicants=market.applicants + filler))
    assert len(body) > 2 * 1024 * 1024
    http = world.client().http
    r = http.post(
        "/api/operator/market", files={"file": ("big.json", body)}, headers=bearer(http, "operator")
    )
    assert r.status_code == 201, r.text
    assert r.json()["market"]["applicants"] == 6007


def test_requests_see_the_week_as_the_clock_has_it(world: World) -> None:
    """Every request ticks the clock first: steps come due with the wall clock, without the operator."""
    world.start_soap()
    http = world.client().http
    headers = bearer(http, "applicant-A01")
    assert http.get("/api/applicant/status", headers=headers).json()["status_released"] is False
    world.wall.advance(hours=2)  # the week reaches Mon 11:00 on its own
    status = http.get("/api/applicant/status", headers=headers).json()
    assert (status["status_released"], status["unfilled_list_visible"]) == (True, True)
    events = world.store.events()
    assert [(type(e.event).__name__, e.actor) for e in events[1:]] == [
        ("StatusReleased", "clock"),
        ("UnfilledListPublished", "clock"),
    ]


def test_two_acceptances_racing_through_the_api_give_one_match(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    world.start_soap()
    world.move_clock("Mon 11:00")
    store = world.store
    for code in ("1000001C0", "1000002C0"):
        store.execute(SubmitApplication(world.clock.now(), "A01", code), actor="applicant-A01")
    world.move_clock("Tue 08:00")
    for code in ("1000001C0", "1000002C0"):
        store.execute(CertifyPreferenceList(world.clock.now(), code, ("A01",)), actor="director")
    world.move_clock("Thu 09:00")
    http = world.client().http
    headers = bearer(http, "applicant-A01")

    def accept(code: str) -> int:
        body = {"programs": [code], "confirm_binding": True}
        return http.post("/api/applicant/offers/accept", json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(accept, ["1000001C0", "1000002C0"]))
    assert statuses == [200, 409]
    answers = [e.event for e in store.events() if isinstance(e.event, OfferAccepted | OfferRejected)]
    assert [type(a).__name__ for a in answers] == ["OfferAccepted", "OfferRejected"]
    assert isinstance(answers[1], OfferRejected) and answers[1].automatic
    assert len(store.state().matches) == 1
