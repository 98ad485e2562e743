"""A whole SOAP in a real browser: the operator, one program director (two tracks) and two applicants.

A portal server runs as its own process (``matchweek.web.serve.serve``) on 127.0.0.1 with a
free port and an SQLite file; the operator drives the week by moving the clearinghouse
clock. Each person has a browser context of their own. The test asserts what each one sees
at every step (release, apply, certify, rounds, accept, reject, expiry, SOAP's end), that
the portal refuses what they may not do, and saves a screenshot of each step.

The story, on the small generated market (seed 1): programs P and Q (categorical, one open
position each) are managed by one director; applicants A1 and A2 apply to both. P ranks
A1 then A2; Q ranks A2 then A1. Round 1: P offers A1, who rejects it; Q offers A2, who does
not answer, so it expires. Round 2: P offers A2 and Q offers A1; both accept.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from matchweek.match import run_match
from matchweek.model import Policy
from matchweek.soap import soap_universe
from matchweek.store import Role, Store
from matchweek.synth import generate_market

pytestmark = pytest.mark.e2e

PASSWORD = "browser-test-password"


@dataclass(frozen=True)
class Cast:
    """Who takes part: the two programs, the two applicants, and an applicant who applies nowhere."""

    p: str
    q: str
    a1: str
    a2: str
    bystander: str


def _prepare(url: str) -> Cast:
    """Load the small market, run its Main Match and create the accounts, before the server starts."""
    market = generate_market("small", 1)
    result = run_match(market)
    universe = soap_universe(market, result, Policy())
    singles = sorted(p.code for p in universe.programs if p.track.value == "categorical" and p.open == 1)
    ready = sorted(
        a.id
        for a in universe.applicants
        if a.holds is None
        and a.verified
        and a.can_start_july_1
        and a.personal_statements
        and len(a.letters) >= 2
    )
    cast = Cast(p=singles[0], q=singles[1], a1=ready[0], a2=ready[1], bystander=ready[2])
    with Store(url) as store:
        store.load_market(market, actor="system")
        store.run_main_match(actor="system")
        store.create_account("operator", PASSWORD, Role.OPERATOR, display_name="Clearinghouse operator")
        store.create_account(
            "director", PASSWORD, Role.PROGRAM, programs=(cast.p, cast.q), display_name="Program director"
        )
        store.create_account("applicant-1", PASSWORD, Role.APPLICANT, applicant=cast.a1)
        store.create_account("applicant-2", PASSWORD, Role.APPLICANT, applicant=cast.a2)
    return cast


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Cast]]:
    folder = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{folder / 'portal.db'}"
    cast = _prepare(url)
    port = _free_port()
    env = {
        **os.environ,
        "MATCHWEEK_CLOCK_START": "Mon 09:00",
        "MATCHWEEK_CLOCK_SPEED": "1",
        "MATCHWEEK_SECRET_KEY": "e2e-" + "s" * 40,
    }
    env.pop("MATCHWEEK_DATABASE_URL", None)
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from matchweek.web.serve import serve; serve('127.0.0.1', {port}, False, {url!r})",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the portal server did not start:\n" + (folder / "server.log").read_text()
                )
            time.sleep(0.2)
        yield base, cast
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_launch: dict[str, object]) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**chromium_launch)  # type: ignore[arg-type]
        try:
            yield chromium
        finally:
            chromium.close()


class Person:
    """One person at their own browser: a context with its own cookies, its console watched."""

    def __init__(self, browser: Browser, base: str, shots: Path, name: str) -> None:
        self.context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.shots = shots
        self.name = name
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 4" not in message.text:
            self.problems.append(message.text)

    def sign_in(self, username: str) -> None:
        self.page.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")

    def shot(self, step: int, what: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{step:02d}-{self.name}-{what}.png"), full_page=True)

    def flash(self) -> str:
        return self.page.locator(".flash").first.inner_text()


def _move_clock(operator: Person, at: str) -> None:
    operator.page.goto("/operator")
    operator.page.fill("input[name=at]", at)
    operator.page.get_by_role("button", name="Move clock").click()
    expect(operator.page.locator(".flash-ok")).to_contain_text(f"Clock moved to {at}")
    expect(operator.page.locator("#overview-clock")).to_have_text(at)


def _offer_rows(person: Person, table: str) -> list[tuple[str, str]]:
    """(program, status) of each row in the offers table."""
    rows = person.page.locator(f"#{table} tbody tr[data-program]")
    out = []
    for i in range(rows.count()):
        row = rows.nth(i)
        out.append((row.get_attribute("data-program") or "", row.locator("td").last.inner_text().strip()))
    return out


def test_a_whole_soap_in_the_browser(
    server: tuple[str, Cast], browser: Browser, screenshot_folder: Path
) -> None:
    base, cast = server
    shots = screenshot_folder
    operator = Person(browser, base, shots, "operator")
    director = Person(browser, base, shots, "program")
    one = Person(browser, base, shots, "applicant1")
    two = Person(browser, base, shots, "applicant2")

    # --- the operator starts SOAP; applicants wait for their status ------------------------------------
    operator.sign_in("operator")
    expect(operator.page.locator("h1")).to_have_text("Clearinghouse overview")
    operator.page.goto("/operator/market")
    expect(operator.page.locator("#match-done")).to_contain_text("unmatched")
    operator.page.get_by_role("button", name="Start SOAP").click()
    expect(operator.page.locator(".flash-ok")).to_have_text("SOAP started.")
    expect(operator.page.locator("#run-next-step")).to_have_text("Move the clock to Mon 10:00 now")
    operator.shot(1, "soap-started")

    one.sign_in("applicant-1")
    expect(one.page.locator("#match-status")).to_contain_text("Your Match status is released at Mon 10:00.")
    one.shot(2, "before-release")

    operator.page.locator("#run-next-step").click()  # the status release, by hand
    expect(operator.page.locator(".flash-ok")).to_have_text("Clock moved to Mon 10:00; 1 event recorded.")
    one.page.reload()
    expect(one.page.locator("p.status")).to_have_text("Unmatched")
    expect(one.page.locator("#soap-standing")).to_contain_text(
        "The List of Unfilled Programs is released at Mon 11:00."
    )
    one.page.goto("/applicant/unfilled")
    expect(one.page.locator("#list-closed")).to_have_text(
        "The List of Unfilled Programs is released at Mon 11:00."
    )

    # --- the list is released; both applicants apply, with documents ----------------------------------
    _move_clock(operator, "Mon 11:00")
    one.page.goto("/applicant/unfilled")
    expect(one.page.locator("#applications-used")).to_have_text("0 of 45")
    rows = one.page.locator("#unfilled-table tbody tr[data-program]")
    everything = rows.count()
    assert everything > 10
    specialty = one.page.locator(f"#unfilled-table tr[data-program='{cast.p}'] td").nth(1).inner_text()
    one.page.select_option("select[name=specialty]", specialty)  # htmx swaps in the filtered rows
    expect(rows).not_to_have_count(everything)
    expect(one.page.locator("#unfilled-rows p.muted")).to_have_text(
        f"{rows.count()} of {everything} programs shown."
    )
    shown = [rows.nth(i).get_attribute("data-program") for i in range(rows.count())]
    assert cast.p in shown and len(shown) < everything
    assert parse_qs(urlsplit(one.page.url).query)["specialty"] == [specialty]  # the filter is in the address
    one.shot(3, "unfilled-list-filtered")

    def apply(person: Person, code: str, used_before: int) -> None:
        person.page.goto(f"/applicant/apply/{code}")
        expect(person.page.locator("#applications-used")).to_have_text(f"{used_before} of 45")
        letters = person.page.locator("input[name=letters]")
        for i in range(letters.count()):
            if i >= 2:
                letters.nth(i).uncheck()
        person.page.get_by_role("button", name="Send application").click()
        expect(person.page.locator(".flash-ok")).to_have_text(f"Application sent to {code}.")
        expect(person.page.locator("#applications-used")).to_have_text(f"{used_before + 1} of 45")

    apply(one, cast.p, 0)
    apply(one, cast.q, 1)
    one.shot(4, "applications")
    two.sign_in("applicant-2")
    apply(two, cast.q, 0)
    apply(two, cast.p, 1)

    # --- the program reviews from Tuesday and certifies its lists --------------------------------------
    director.sign_in("director")
    director.page.goto(f"/program/{cast.p}/applicants")
    expect(director.page.locator("#review-closed")).to_have_text(
        "2 applications received. Programs review applications from Tue 08:00."
    )
    _move_clock(operator, "Tue 08:00")
    director.page.reload()
    table = director.page.locator("#applicant-table tbody tr[data-applicant]")
    expect(table).to_have_count(2)
    assert sorted(table.nth(i).get_attribute("data-applicant") for i in range(2)) == sorted(
        [cast.a1, cast.a2]
    )
    director.page.select_option("select[name=sort]", "score")
    expect(director.page).to_have_url(re.compile(r"sort=score"))
    director.shot(5, "applicant-table")
    director.page.goto(f"/program/{cast.p}/applicants/{cast.a1}")
    expect(director.page.locator("#documents li")).to_have_count(3)  # one statement, two letters
    # A program cannot see an applicant who did not apply to it.
    response = director.page.goto(f"/program/{cast.p}/applicants/{cast.bystander}")
    assert response is not None and response.status == 404
    expect(director.page.locator("#error-detail")).to_have_text(
        f"applicant {cast.bystander} has not applied to {cast.p}"
    )

    def certify(code: str, order: list[str]) -> None:
        director.page.goto(f"/program/{code}/preference-list")
        expect(director.page.locator("#deadline")).to_contain_text("Round 1 opens at Thu 09:00")
        for who in order:
            director.page.select_option("#add-target", who)
            director.page.click("#add-button")  # htmx: the editor comes back with the draft
            expect(director.page.locator(f"#draft-list li[data-applicant='{who}']")).to_be_visible()
        expect(director.page.locator("#draft-changed")).to_be_visible()
        listed = director.page.locator("#draft-list li[data-applicant]")
        assert [listed.nth(i).get_attribute("data-applicant") for i in range(listed.count())] == order
        director.page.click("#certify-button")
        expect(director.page.locator(".flash-ok")).to_have_text(
            f"Preference list of {code} certified with 2 applicants."
        )
        expect(director.page.locator("#certified-list")).to_have_text(", ".join(order))

    # Build P's list the long way round: A2 first, then move A1 above it.
    director.page.goto(f"/program/{cast.p}/preference-list")
    for who in (cast.a2, cast.a1):
        director.page.select_option("#add-target", who)
        director.page.click("#add-button")
        expect(director.page.locator(f"#draft-list li[data-applicant='{who}']")).to_be_visible()
    director.page.get_by_role("button", name=f"Up {cast.a1}").click()
    expect(director.page.locator("#draft-list li[data-applicant]").first).to_have_attribute(
        "data-applicant", cast.a1
    )
    director.shot(6, "preference-list-editor")
    director.page.click("#certify-button")
    expect(director.page.locator("#certified-list")).to_have_text(f"{cast.a1}, {cast.a2}")
    certify(cast.q, [cast.a2, cast.a1])

    # --- round 1: A1 rejects P; A2 lets Q expire ------------------------------------------------------
    _move_clock(operator, "Thu 09:00")
    one.page.goto("/applicant/offers")
    expect(one.page.locator("#open-offers tbody tr[data-program]")).to_have_count(1)
    expect(one.page.locator("#open-offers tbody tr[data-program]")).to_have_attribute("data-program", cast.p)
    countdown = one.page.locator(f"#open-offers tr[data-program='{cast.p}'] .countdown")
    expect(countdown).to_have_text(re.compile(r"^1 h 5\d min \d\d s left$"))
    one.shot(7, "offer-with-countdown")
    one.page.locator(f"#open-offers tr[data-program='{cast.p}']").get_by_role("button", name="Reject").click()
    expect(one.page.locator(".flash-ok")).to_have_text(f"You rejected the offer from {cast.p}.")
    expect(one.page.locator("#open-offers")).to_have_count(0)

    two.page.goto("/applicant/offers")
    expect(two.page.locator(f"#open-offers tr[data-program='{cast.q}']")).to_be_visible()
    _move_clock(operator, "Thu 11:00")  # round 1 closes: Q's offer to A2 expires
    two.page.goto("/applicant/offers")
    assert _offer_rows(two, "all-offers") == [(cast.q, "Expired")]
    two.shot(8, "offer-expired")

    # --- round 2: both accept, through the binding confirmation ----------------------------------------
    _move_clock(operator, "Thu 12:00")
    one.page.goto("/applicant/offers")
    one.page.locator(f"#open-offers tr[data-program='{cast.q}']").get_by_role("link", name="Accept…").click()
    expect(one.page.locator("#binding-warning h2")).to_have_text("This is binding")
    one.shot(9, "accept-confirmation")
    accept = one.page.get_by_role("button", name="Accept — binding")
    accept.click()  # the binding box is not ticked: the browser will not send the form
    expect(one.page.locator("#binding-warning")).to_be_visible()
    one.page.check("input[name=confirm]")
    accept.click()
    expect(one.page.locator(".flash-ok")).to_have_text(f"You accepted {cast.q}: this is a binding match.")
    assert _offer_rows(one, "all-offers") == [(cast.q, "Accepted"), (cast.p, "Rejected")]
    one.shot(10, "accepted")
    one.page.goto("/applicant")
    expect(one.page.locator("#soap-standing")).to_contain_text(
        f"You accepted {cast.q} in SOAP: a binding match."
    )

    two.page.goto(f"/applicant/offers/accept?program={cast.p}")
    two.page.check("input[name=confirm]")
    two.page.get_by_role("button", name="Accept — binding").click()
    expect(two.page.locator(".flash-ok")).to_have_text(f"You accepted {cast.p}: this is a binding match.")
    assert _offer_rows(two, "all-offers") == [(cast.p, "Accepted"), (cast.q, "Expired")]

    # --- what the program sees --------------------------------------------------------------------------
    director.page.goto(f"/program/{cast.p}")
    for ident, value in (
        ("fig-out", "0"),
        ("fig-accepted", "1"),
        ("fig-rejected", "1"),
        ("fig-expired", "0"),
        ("fig-open", "0"),
    ):
        expect(director.page.locator(f"#{ident}")).to_have_text(value)
    director.shot(11, "round-status")
    director.page.goto(f"/program/{cast.q}")
    for ident, value in (
        ("fig-accepted", "1"),
        ("fig-rejected", "0"),
        ("fig-expired", "1"),
        ("fig-open", "0"),
    ):
        expect(director.page.locator(f"#{ident}")).to_have_text(value)

    # --- SOAP ends; the operator's dashboard and audit log ---------------------------------------------
    _move_clock(operator, "Thu 21:00")
    expect(operator.page.locator("#soap-state")).to_have_text("SOAP has ended.")
    operator.page.goto("/operator/dashboard")
    for ident in ("fill", "specialty", "kind"):
        expect(operator.page.locator(f"#chart-{ident} .main-svg").first).to_be_visible()
    expect(operator.page.locator("#table-fill tbody tr")).to_have_count(4)
    operator.shot(12, "dashboard")
    operator.page.goto("/operator/audit?since=0")
    expect(operator.page.locator("#audit")).to_contain_text("applicant-1")
    operator.shot(13, "audit-log")
    one.page.goto("/applicant/history")
    expect(one.page.locator("#history")).to_contain_text("SOAP ended")
    expect(one.page.locator("#history")).not_to_contain_text(cast.a2)

    # --- what the portal refuses -----------------------------------------------------------------------
    theirs = one.page.request.get(f"/api/applicants/{cast.a2}/offers")
    assert theirs.status == 403
    assert theirs.json() == {"detail": "an applicant sees only its own status and offers"}
    forged = one.page.request.post("/applicant/offers/reject", form={"program": cast.q})
    assert forged.status == 403
    assert "CSRF check failed" in forged.text()
    lists = one.page.request.get(f"/api/programs/{cast.p}/preference-list")
    assert lists.status == 403

    for person in (operator, director, one, two):
        assert person.problems == [], (person.name, person.problems)
        person.context.close()
