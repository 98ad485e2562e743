"""The applicant planner in a real browser: profile, plan and chart, applying from a pick, the tracker.

The same portal server as the whole-SOAP test (its own process, the small generated market,
an SQLite file), with a server of its own for this module. The operator opens SOAP and
releases the List of Unfilled Programs; an applicant then reads its plan with the chart of
odds against utility, edits its profile so that a program drops off the list, applies from
a pick with the documents the planner chose, and keeps its tracker. Screenshots of each
step go beside the other browser test's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from test_soap_in_browser import Cast, Person, _move_clock, browser, server

pytestmark = pytest.mark.e2e

__all__ = ["browser", "server"]  # the browser and the portal server, as fixtures of this module too


def _pick_rows(person: Person) -> list[str]:
    rows = person.page.locator("#plan-picks tbody tr[data-program]")
    return [rows.nth(i).get_attribute("data-program") or "" for i in range(rows.count())]


def test_an_applicant_plans_its_applications_in_the_browser(
    server: tuple[str, Cast], browser: Browser, screenshot_folder: Path
) -> None:
    base, _cast = server
    operator = Person(browser, base, screenshot_folder, "planner-operator")
    me = Person(browser, base, screenshot_folder, "planner-applicant")

    operator.sign_in("operator")
    operator.page.goto("/operator/market")
    operator.page.get_by_role("button", name="Start SOAP").click()
    expect(operator.page.locator(".flash-ok")).to_have_text("SOAP started.")

    me.sign_in("applicant-1")
    me.page.goto("/applicant/plan")
    expect(me.page.locator("#plan-closed")).to_have_text("Match status is released at Mon 10:00.")
    _move_clock(operator, "Mon 11:00")

    # --- the plan from the derived profile, with its chart ----------------------------------------------
    me.page.goto("/applicant/plan")
    expect(me.page.locator("#derived-profile")).to_be_visible()
    expect(me.page.locator("#chart-plan .main-svg").first).to_be_visible()
    expect(me.page.locator("#applications-left")).to_contain_text("45")
    first = _pick_rows(me)
    assert len(first) > 3
    top = first[0]
    top_state = me.page.locator(f"#plan-picks tr[data-program='{top}'] td").nth(4).inner_text()
    assert re.fullmatch(r"[A-Z]{2}", top_state)
    me.shot(21, "plan-derived-profile")

    # --- the profile: exclude the top pick's state ---------------------------------------------------
    me.page.get_by_role("link", name="Profile").click()
    expect(me.page.locator("#profile-source")).to_contain_text("derived from your market record")
    me.page.fill("input[name=excluded_states]", top_state)
    me.page.fill("input[name=tier_0_utility]", "6")
    me.shot(22, "profile-edited")
    me.page.click("#save-profile")
    expect(me.page.locator(".flash-ok")).to_have_text("Profile saved: the plan now follows it.")
    expect(me.page.locator("#profile-source")).to_contain_text("This is the profile you saved.")
    expect(me.page.locator("input[name=excluded_states]")).to_have_value(top_state)

    me.page.goto("/applicant/plan")
    expect(me.page.locator("#derived-profile")).to_have_count(0)
    expect(me.page.locator("#chart-plan .main-svg").first).to_be_visible()
    picks = _pick_rows(me)
    assert top not in picks and picks
    states = me.page.locator("#plan-picks tbody tr[data-program] td:nth-child(6)").all_inner_texts()
    assert top_state not in states
    me.shot(23, "plan-after-profile")

    # --- the tracker takes the list; then apply from the first pick, its documents pre-selected -----------
    code = picks[0]
    documents = me.page.locator(f"#plan-picks tr[data-program='{code}'] td").nth(10).inner_text()
    statement, _, letters = documents.split("\n")[0].partition("; ")
    me.page.get_by_role("link", name="Tracker").click()
    me.page.click("#fill-from-plan")
    expect(me.page.locator(".flash-ok")).to_have_text(
        f"Tracker filled with the {len(picks)} programs of your plan."
    )
    expect(me.page.locator(f"#tracker-table tr[data-program='{code}'] td").nth(8)).to_have_text("no")

    me.page.goto("/applicant/plan")
    me.page.locator(f"#plan-picks tr[data-program='{code}']").get_by_role("link", name="Apply…").click()
    expect(me.page).to_have_url(re.compile(rf"/applicant/apply/{code}\?"))
    expect(me.page.locator(f"input[name=personal_statement][value='{statement}']")).to_be_checked()
    checked = me.page.locator("input[name=letters]:checked")
    assert [checked.nth(i).get_attribute("value") for i in range(checked.count())] == letters.split(", ")
    me.shot(24, "apply-from-pick")
    me.page.get_by_role("button", name="Send application").click()
    expect(me.page.locator(".flash-ok")).to_have_text(f"Application sent to {code}.")
    me.page.goto("/applicant/plan")
    expect(me.page.locator("#applications-left")).to_contain_text("44")
    assert code not in _pick_rows(me)

    # --- the tracker shows the application; a row is edited in place -----------------------------------
    me.page.get_by_role("link", name="Tracker").click()
    expect(me.page.locator(f"#tracker-table tr[data-program='{code}'] .badge")).to_have_text("applied")
    row = me.page.locator(f"#tracker-table tr[data-program='{code}']")
    row.locator("select[name=interest]").select_option("5")
    row.locator("input[name=notes]").fill("call the coordinator")
    row.get_by_role("button", name=f"Save {code}").click()  # htmx swaps in the saved row
    saved = me.page.locator(f"#tracker-table tr[data-program='{code}']")
    expect(saved.locator(".row-saved")).to_have_text("saved")
    expect(saved.locator("input[name=notes]")).to_have_value("call the coordinator")
    expect(saved.locator("select[name=interest]")).to_have_value("5")
    me.shot(25, "tracker")
    exported = me.page.request.get("/api/applicant/plan/tracker.csv")
    assert exported.ok and "call the coordinator" in exported.text()

    for person in (operator, me):
        assert person.problems == [], (person.name, person.problems)
        person.context.close()
