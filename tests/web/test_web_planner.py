"""The applicant planner in the portal: profile, optimal list and chart, tracker, offer-time advice.

Pages and API on the tiny market of ``web_world``: who may read what, CSRF on every form,
refusals of bad input (one line naming the field, nothing stored), and the planner's
tables on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from web_world import DERM, FM, IM, PRELIM, Visitor, World, bearer, make_world

from matchweek.plan.profile import profile_of
from matchweek.soap import CertifyPreferenceList, SubmitApplication
from matchweek.store import Store, schema
from matchweek.store import planner as planner_store

sys.path.append(str(Path(__file__).resolve().parents[1] / "store"))
from store_databases import POSTGRES, Databases, postgres_problem


def _rows(html: str, table: str) -> list[str]:
    """The data-program keys of a table's rows, in order."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-program="([^"]+)"', body)


def _upload(v: Visitor, path: str, name: str, data: bytes, *, token: bool = True) -> httpx.Response:
    """POST a file as a page's upload form does."""
    fields = {"csrf_token": v.token} if token else {}
    return v.http.post(path, data=fields, files={"file": (name, data)}, follow_redirects=False)


def _profile(world: World, applicant: str = "A01") -> dict:
    http = world.client().http
    r = http.get("/api/applicant/plan/profile", headers=bearer(http, f"applicant-{applicant}"))
    assert r.status_code == 200, r.text
    return r.json()


# --- the profile ----------------------------------------------------------------------------------


def test_the_profile_is_derived_from_the_market_record_until_saved(world: World) -> None:
    document = _profile(world)
    market = world.store.market()
    assert market is not None
    record = market.applicant_index()["A01"]
    from matchweek.plan.profile import profile_to_document

    expected = profile_to_document(profile_of(record, market, world.store.match_result()))
    assert document == expected
    assert document["format"] == "matchweek.profile/1"
    assert [t["name"] for t in document["priorities"]] == [
        "own specialty",
        "primary-care fallback",
        "one-year PGY-1",
        "other",
    ]
    v = world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/plan/profile").text
    assert "This profile is derived from your market record" in page
    assert planner_store.planner_profile(world.store, "A01") is None


def test_saving_a_profile_through_the_api_keeps_it_for_the_applicant_only(world: World) -> None:
    http = world.client().http
    me = bearer(http, "applicant-A01")
    document = _profile(world)
    document["priorities"] = [{"name": "IM", "utility": 5, "programs": [{"specialty": "Internal Medicine"}]}]
    document["criteria"] = {"must_haves": {"excluded_states": ["TX"]}}
    r = http.put("/api/applicant/plan/profile", json=document, headers=me)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["priorities"] == [
        {"name": "IM", "utility": 5.0, "programs": [{"specialty": "Internal Medicine"}]}
    ]
    assert saved["criteria"]["must_haves"] == {"excluded_states": ["TX"]}
    assert http.get("/api/applicant/plan/profile", headers=me).json() == saved
    assert planner_store.planner_profile(world.store, "A01") == saved
    # Another applicant still has its own, derived one.
    assert _profile(world, "A02")["applicant"] == "A02"
    assert planner_store.planner_profile(world.store, "A02") is None


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"applicant": "A02"}, "profile: applicant: must be your own applicant id A01, got 'A02'"),
        ({"ties": ["ZZ"]}, 'profile: ties[0]: unknown state "ZZ" (two-letter codes such as NY, DC)'),
        (
            {"criteria": {"preferences": {"regions": ["Atlantis"]}}},
            'profile: criteria.preferences.regions[0]: unknown region "Atlantis"',
        ),
        ({"favourite_colour": "blue"}, "body.favourite_colour: Extra inputs are not permitted"),
        ({"priorities": [{"utility": 0, "programs": ["*"]}]}, "body.priorities.0.utility: Input should be"),
        (
            {"us_clinical_months": 10**30},
            "body.us_clinical_months: Input should be less than or equal to 600",
        ),
    ],
)
def test_a_bad_profile_is_refused_whole_naming_the_field(world: World, change: dict, detail: str) -> None:
    http = world.client().http
    document = {**_profile(world), **change}
    r = http.put("/api/applicant/plan/profile", json=document, headers=bearer(http, "applicant-A01"))
    assert r.status_code == 422
    assert r.json()["detail"].startswith(detail), r.json()["detail"]
    assert "\n" not in r.json()["detail"]
    assert planner_store.planner_profile(world.store, "A01") is None


def test_a_profile_beyond_the_portals_bounds_is_a_clear_conflict(world: World) -> None:
    letters = [{"id": f"L{i}", "specialty": "general"} for i in range(60)]
    document = {"format": "matchweek.profile/1", "applicant": "A01", "kind": "us_img", "letters": letters}
    planner_store.save_planner_profile(world.store, "A01", document, actor="operator")
    http = world.client().http
    r = http.get("/api/applicant/plan/profile", headers=bearer(http, "applicant-A01"))
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "the profile is beyond what the portal takes: letters: List should have at most 50 items after "
        "validation, not 60"
    )


def test_the_profile_form_edits_priorities_and_criteria(world: World) -> None:
    v = world.client()
    v.sign_in("applicant-A02")  # needs a J-1 visa
    page = v.page("/applicant/plan/profile").text
    assert 'name="tier_0_entry_0_specialty" value="Internal Medicine"' in page
    assert 'name="must_visas" value="H-1B"' in page
    form = {
        "tier_0_name": "internal medicine",
        "tier_0_utility": "6",
        "tier_0_entry_0_specialty": "Internal Medicine",
        "tier_0_entry_0_tracks": ["categorical"],
        "tier_0_entry_1_specialty": "",
        "tier_1_name": "",
        "tier_1_utility": "",
        "tier_1_entry_0_specialty": "*",
        "must_visas": ["J-1", "H-1B"],
        "must_tracks": ["categorical", "preliminary"],
        "excluded_states": "ak, hi",
        "regions": "Midwest, Middle Atlantic",
        "region_weight": "1.5",
        "preferred_tracks": ["categorical"],
        "track_weight": "",
        "min_positions": "2",
        "max_positions": "",
        "size_weight": "0.25",
    }
    assert v.act("/applicant/plan/profile", form) == [("ok", "Profile saved: the plan now follows it.")]
    saved = planner_store.planner_profile(world.store, "A02")
    assert saved is not None
    assert saved["priorities"] == [
        {
            "name": "internal medicine",
            "utility": 6.0,
            "programs": [{"specialty": "Internal Medicine", "tracks": ["categorical"]}],
        },
        {"name": "tier 2", "utility": 1.0, "programs": [{"specialty": "*"}]},
    ]
    assert saved["criteria"] == {
        "must_haves": {
            "visas": ["J-1", "H-1B"],
            "tracks": ["categorical", "preliminary"],
            "excluded_states": ["AK", "HI"],
        },
        "preferences": {
            "regions": ["Midwest", "Middle Atlantic"],
            "region_weight": 1.5,
            "tracks": ["categorical"],
            "track_weight": 0.5,
            "min_positions": 2,
            "max_positions": None,
            "size_weight": 0.25,
        },
    }
    # The file part of the profile is kept as it was.
    assert saved["visa_need"] == "J-1" and saved["red_flags"] == ["remediation"]
    assert "This is the profile you saved." in v.page("/applicant/plan/profile").text


def test_a_bad_profile_form_shows_the_field_and_keeps_nothing(world: World) -> None:
    v = world.client()
    v.sign_in("applicant-A01")
    v.page("/applicant/plan/profile")
    r = v.form(
        "/applicant/plan/profile",
        {"tier_0_name": "x", "tier_0_utility": "lots", "tier_0_entry_0_specialty": "Pediatrics"},
    )
    assert r.status_code == 422
    assert 'profile form: priorities[0].utility: must be a number, got "lots"' in r.text.replace("&#34;", '"')
    r = v.form("/applicant/plan/profile", {"excluded_states": "Narnia", "regions": ""})
    assert r.status_code == 422
    assert "criteria.must_haves.excluded_states[0]: unknown state" in r.text
    assert planner_store.planner_profile(world.store, "A01") is None


def test_uploading_and_downloading_a_profile_file(world: World) -> None:
    v = world.client()
    v.sign_in("applicant-A01")
    v.page("/applicant/plan/profile")
    download = v.http.get("/applicant/plan/profile.json")
    assert download.headers["content-disposition"] == 'attachment; filename="profile.json"'
    document = json.loads(download.content)
    document["criteria"] = {"must_haves": {"tracks": ["categorical"]}}
    r = _upload(v, "/applicant/plan/profile/upload", "me.json", json.dumps(document).encode())
    assert r.status_code == 303
    saved = planner_store.planner_profile(world.store, "A01")
    assert saved is not None and saved["criteria"] == {"must_haves": {"tracks": ["categorical"]}}
    # A bad file changes nothing and says why, one line per fault.
    bad = {**document, "ties": ["ZZ"], "red_flags": ["lateness"]}
    for name, data, line in (
        ("me.json", b"{not json", "me.json: not valid JSON"),
        ("me.json", json.dumps(bad).encode(), 'me.json: ties[0]: unknown state "ZZ"'),
        ("me.json", json.dumps(bad).encode(), 'me.json: red_flags[0]: unknown red flag "lateness"'),
    ):
        v.page("/applicant/plan/profile")
        r = _upload(v, "/applicant/plan/profile/upload", name, data)
        assert r.status_code == 422
        assert line in r.text.replace("&#34;", '"')
    assert planner_store.planner_profile(world.store, "A01") == saved
    v.page("/applicant/plan/profile")
    assert v.act("/applicant/plan/profile/reset", {}) == [
        ("ok", "Profile reset to the one derived from your market record.")
    ]
    assert planner_store.planner_profile(world.store, "A01") is None


# --- who may read and change it ---------------------------------------------------------------------


def test_only_the_applicant_and_the_operator_read_its_planner_records(world: World) -> None:
    http = world.client().http
    planner_store.save_planner_tracker(world.store, "A01", [{"program": IM, "notes": "mine"}], actor="t")
    for path in ("/api/applicants/A01/plan/profile", "/api/applicants/A01/plan/tracker"):
        assert http.get(path, headers=bearer(http, "applicant-A01")).status_code == 200
        assert http.get(path, headers=bearer(http, "operator")).status_code == 200
        for other in ("applicant-A02", "director"):
            r = http.get(path, headers=bearer(http, other))
            assert r.status_code == 403
            assert r.json()["detail"] == "a planner's records are read only by its applicant and the operator"
    tracked = http.get("/api/applicants/A01/plan/tracker", headers=bearer(http, "operator")).json()
    assert [(r["program"], r["notes"]) for r in tracked["programs"]] == [(IM, "mine")]
    r = http.get("/api/applicants/A99/plan/profile", headers=bearer(http, "operator"))
    assert r.status_code == 404
    # A program account has no planner of its own, on pages or in the API.
    assert http.get("/api/applicant/plan/profile", headers=bearer(http, "director")).status_code == 403
    v = world.client()
    v.sign_in("director")
    assert v.page("/applicant/plan").status_code == 403


def test_every_planner_form_needs_the_csrf_token(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    planner_store.save_planner_tracker(listed_world.store, "A01", [{"program": IM}], actor="t")
    v.page("/applicant/plan/tracker")
    for path, data in (
        ("/applicant/plan/profile", {"regions": "West"}),
        ("/applicant/plan/profile/reset", {}),
        ("/applicant/plan/tracker/from-plan", {}),
        (f"/applicant/plan/tracker/{IM}", {"interest": "5"}),
        (f"/applicant/plan/tracker/{IM}/remove", {}),
    ):
        r = v.form(path, data, token=False)
        assert r.status_code == 403, path
        assert "CSRF check failed" in r.text
    for path in ("/applicant/plan/profile/upload", "/applicant/plan/tracker/import"):
        assert _upload(v, path, "x.csv", b"program\n", token=False).status_code == 403
    r = v.http.put("/api/applicant/plan/tracker", json={"format": "matchweek.tracker/1", "programs": []})
    assert r.status_code == 403
    assert planner_store.planner_profile(listed_world.store, "A01") is None
    assert [r["program"] for r in planner_store.planner_tracker(listed_world.store, "A01")] == [IM]


# --- the optimal list -------------------------------------------------------------------------------


def test_the_plan_waits_for_the_list_of_unfilled_programs(world: World) -> None:
    world.start_soap()
    world.move_clock("Mon 10:00")
    v = world.client()
    v.sign_in("applicant-A01")
    assert "The List of Unfilled Programs is released at Mon 11:00." in v.page("/applicant/plan").text
    r = v.http.get("/api/applicant/plan")
    assert r.status_code == 403
    assert r.json()["detail"] == (
        "the List of Unfilled Programs is not open to you: "
        "The List of Unfilled Programs is released at Mon 11:00."
    )


def test_the_plan_covers_the_programs_the_applicant_may_apply_to(listed_world: World) -> None:
    http = listed_world.client().http
    plan = http.get("/api/applicant/plan", headers=bearer(http, "applicant-A01")).json()
    assert sorted(p["program"] for p in plan["odds"]["programs"]) == sorted([IM, FM, PRELIM, DERM])
    picks = plan["plan"]["picks"]
    assert [p["rank"] for p in picks] == list(range(1, len(picks) + 1))
    assert picks[0]["program"] == IM and picks[0]["tier"] == "own specialty"
    assert sum(p["marginal_gain"] for p in picks) == pytest.approx(plan["plan"]["expected_value"])
    assert plan["plan"]["cap"] == 45 and plan["applications_cap"] == 45
    assert plan["profile_saved"] is False
    assert [a["program"] for a in plan["documents"]["applications"]] == [p["program"] for p in picks]
    # A partially matched applicant holding an advanced position sees only PGY-1-only programs (§4).
    partial = http.get("/api/applicant/plan", headers=bearer(http, "applicant-A04")).json()
    assert [p["program"] for p in partial["odds"]["programs"]] == [PRELIM]


def test_must_haves_and_applications_sent_shape_the_list(world: World) -> None:
    world.start_soap(max_applications=3)
    world.move_clock("Mon 11:00")
    http = world.client().http
    me = bearer(http, "applicant-A01")
    document = _profile(world)
    document["criteria"] = {"must_haves": {"excluded_states": ["CA"]}}
    assert http.put("/api/applicant/plan/profile", json=document, headers=me).status_code == 200
    assert http.post("/api/applicant/applications", json={"program": IM}, headers=me).status_code == 201
    plan = http.get("/api/applicant/plan", headers=me).json()
    assert plan["applications_used"] == 1 and plan["plan"]["cap"] == 2
    chosen = [p["program"] for p in plan["plan"]["picks"]]
    assert len(chosen) == 2 and IM not in chosen and DERM not in chosen
    odds = {p["program"]: p for p in plan["odds"]["programs"]}
    assert odds[DERM]["excluded"] == "in CA, a state it excludes"
    assert odds[IM]["excluded"] == "applied already"
    placement = http.get("/api/applicant/plan?objective=placement", headers=me).json()
    assert placement["plan"]["objective"] == "placement"
    assert {p["utility"] for p in placement["plan"]["picks"]} == {1.0}
    assert http.get("/api/applicant/plan?objective=luck", headers=me).status_code == 422


def test_the_plan_page_shows_the_chart_the_picks_and_the_gaps(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/plan").text
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in page
    figure = json.loads(page.split('data-chart="chart-plan">', 1)[1].split("</script>", 1)[0])
    assert {t["name"] for t in figure["data"]} == {"not chosen", "on the list"}
    picks = _rows(page, "plan-picks")
    assert picks[0] == IM and set(picks) <= {IM, FM, PRELIM, DERM}
    assert "no letter written for Dermatology" in page
    assert "This plan uses the profile derived from your market record." in page
    assert _rows(page, "plan-odds")  # every program, with its odds
    assert v.page("/applicant/plan?objective=placement").status_code == 200
    assert v.page("/applicant/plan?objective=luck").status_code == 422


def test_applying_from_a_pick_preselects_the_planned_documents(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/plan").text
    link = re.search(rf'href="(/applicant/apply/{IM}\?[^"]+)"', page)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert target == (
        f"/applicant/apply/{IM}?personal_statement=A01-PS1"
        "&letters=A01-L1&letters=A01-L2&letters=A01-L3&letters=A01-L4"
    )
    form = v.page(target).text
    checked = re.findall(r'value="(A01-[^"]+)" checked', form)
    assert checked == ["A01-PS1", "A01-L1", "A01-L2", "A01-L3", "A01-L4"]
    chosen = v.page(f"/applicant/apply/{IM}?letters=A01-L5").text
    assert re.findall(r'name="letters" value="(A01-[^"]+)" checked', chosen) == ["A01-L5"]
    assert v.act(f"/applicant/apply/{IM}", {"personal_statement": "A01-PS1", "letters": ["A01-L5"]}) == [
        ("ok", f"Application sent to {IM}.")
    ]
    assert IM not in _rows(v.page("/applicant/plan").text, "plan-picks")


# --- the tracker --------------------------------------------------------------------------------------


def test_the_tracker_fills_from_the_plan_and_shows_what_was_applied_to(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    assert "No programs tracked yet" in v.page("/applicant/plan/tracker").text
    (message,) = v.act("/applicant/plan/tracker/from-plan", {})
    plan = v.http.get("/api/applicant/plan").json()["plan"]["picks"]
    assert message == ("ok", f"Tracker filled with the {len(plan)} programs of your plan.")
    listed_world.store.execute(SubmitApplication(listed_world.clock.now(), "A01", IM), actor="applicant-A01")
    tracked = v.http.get("/api/applicant/plan/tracker").json()
    assert [r["program"] for r in tracked["programs"]] == [p["program"] for p in plan]
    first = tracked["programs"][0]
    assert (first["program"], first["applied"], first["img_friendly"], first["j1"]) == (
        IM,
        True,
        "high",
        True,
    )
    assert first["odds"] == pytest.approx(plan[0]["odds"])
    assert not any(r["applied"] for r in tracked["programs"][1:])


def test_editing_a_tracker_row_with_htmx_and_without(listed_world: World) -> None:
    store = listed_world.store
    planner_store.save_planner_tracker(store, "A01", [{"program": IM}, {"program": FM}], actor="t")
    v = listed_world.client()
    v.sign_in("applicant-A01")
    v.page("/applicant/plan/tracker")
    htmx = {"HX-Request": "true", "X-CSRF-Token": v.token or ""}
    edit = {
        "interest": "5",
        "interview_time": "Tue 14:00",
        "interview_contact": "Dr. Rao",
        "notes": "call back",
    }
    r = v.http.post(f"/applicant/plan/tracker/{IM}", data=edit, headers=htmx)
    assert r.status_code == 200
    assert r.text.startswith(f'<tr data-program="{IM}"') and "row-saved" in r.text
    row = planner_store.planner_tracker(store, "A01")[0]
    assert (row["interest"], row["interview_time"], row["interview_contact"], row["notes"]) == (
        5,
        "Tue 14:00",
        "Dr. Rao",
        "call back",
    )
    # A refused edit comes back in the row, and nothing of it is kept.
    r = v.http.post(f"/applicant/plan/tracker/{IM}", data={**edit, "interest": "7"}, headers=htmx)
    assert "1000001C0, interest: Input should be less than or equal to 5" in r.text
    r = v.http.post(f"/applicant/plan/tracker/{IM}", data={**edit, "interview_time": "soon"}, headers=htmx)
    assert 'interview_time: must be a week time like "Tue 14:00"' in r.text.replace("&#34;", '"')
    assert planner_store.planner_tracker(store, "A01")[0] == row
    # Without htmx: back to the page, or 422 with the line.
    assert v.act(f"/applicant/plan/tracker/{FM}", {"interest": "2"}) == [("ok", f"Tracker row {FM} saved.")]
    v.page("/applicant/plan/tracker")
    r = v.form(f"/applicant/plan/tracker/{FM}", {"interest": "many"})
    assert r.status_code == 422
    assert "1000002C0, interest: Input should be a valid integer" in r.text
    assert v.form(f"/applicant/plan/tracker/{PRELIM}", {"interest": "2"}).status_code == 404
    r = v.http.post(f"/applicant/plan/tracker/{FM}/remove", headers=htmx)
    assert r.status_code == 200 and r.text == ""
    assert [r["program"] for r in planner_store.planner_tracker(store, "A01")] == [IM]


def test_the_tracker_exports_and_imports_csv_and_xlsx(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    v.act("/applicant/plan/tracker/from-plan", {})
    v.act(f"/applicant/plan/tracker/{IM}", {"interest": "4", "notes": "first choice"})
    before = v.http.get("/api/applicant/plan/tracker").json()
    csv = v.http.get("/api/applicant/plan/tracker.csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="tracker.csv"'
    assert csv.text.splitlines()[0].startswith("program,name,specialty,track,location,j1,h1b")
    xlsx = v.http.get("/api/applicant/plan/tracker.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["tracker"]
    planner_store.save_planner_tracker(listed_world.store, "A01", [], actor="t")
    for name, data in (("mine.csv", csv.content), ("mine.xlsx", xlsx.content)):
        v.page("/applicant/plan/tracker")
        r = _upload(v, "/applicant/plan/tracker/import", name, data)
        assert r.status_code == 303, r.text
        assert v.http.get("/api/applicant/plan/tracker").json() == before


def test_a_bad_tracker_file_is_refused_whole_with_a_line_per_fault(listed_world: World) -> None:
    planner_store.save_planner_tracker(listed_world.store, "A01", [{"program": IM}], actor="t")
    v = listed_world.client()
    v.sign_in("applicant-A01")
    bad = (
        "program,interest,interview_time,img_friendly\n"
        f"{FM},7,Tue 14:00,high\n"
        f"{PRELIM},3,whenever,sometimes\n"
        f"{FM},2,,\n"
    ).encode()
    v.page("/applicant/plan/tracker")
    r = _upload(v, "/applicant/plan/tracker/import", "mine.csv", bad)
    assert r.status_code == 422
    page = r.text.replace("&#34;", '"')
    problems = re.findall(r"<li>([^<]*)</li>", page.split('id="problems"', 1)[1].split("</ul>", 1)[0])
    assert problems == [
        "mine.csv row 2, interest: must be a whole number from 1 to 5, got 7",
        'mine.csv row 3, img_friendly: must be one of high, medium, low, got "sometimes"',
        'mine.csv row 3, interview_time: must be a week time like "Tue 14:00" or a date and time like '
        '"2025-03-18T14:00", got "whenever"',
        'mine.csv row 4, program: program "1000002C0" is tracked twice (first at mine.csv row 2)',
    ]
    too_long = f"program,notes\n{FM},{'x' * 5000}\n".encode()
    v.page("/applicant/plan/tracker")
    r = _upload(v, "/applicant/plan/tracker/import", "long.csv", too_long)
    assert r.status_code == 422
    assert "long.csv row 2, notes: String should have at most 4000 characters" in r.text
    for name, data, line in (
        ("notes.txt", b"program\n", "notes.txt: upload a tracker as a .csv file or an .xlsx workbook"),
        ("empty.csv", b"", "empty.csv: the uploaded file is empty"),
        ("book.xlsx", b"not a workbook", "book.xlsx: is not an XLSX workbook"),
    ):
        v.page("/applicant/plan/tracker")
        r = _upload(v, "/applicant/plan/tracker/import", name, data)
        assert r.status_code == 422
        assert line in r.text
    assert [r["program"] for r in planner_store.planner_tracker(listed_world.store, "A01")] == [IM]


def test_the_tracker_api_replaces_the_tracker_with_a_strict_document(listed_world: World) -> None:
    http = listed_world.client().http
    me = bearer(http, "applicant-A01")
    rows = [{"program": FM, "interest": 3, "applied": True}, {"program": IM, "notes": "later"}]
    r = http.put(
        "/api/applicant/plan/tracker", json={"format": "matchweek.tracker/1", "programs": rows}, headers=me
    )
    assert r.status_code == 200, r.text
    assert [(x["program"], x["interest"], x["applied"]) for x in r.json()["programs"]] == [
        (FM, 3, False),  # applied is read from the applications, not taken from the request
        (IM, None, False),
    ]
    for programs, detail in (
        ([{"program": FM, "colour": "red"}], "body.programs.0.colour: Extra inputs are not permitted"),
        ([{"program": FM, "odds": 1.5}], "body.programs.0.odds: Input should be less than or equal to 1"),
        (
            [{"program": FM}, {"program": FM}],
            "body: Value error, programs[1].program: '1000002C0' is tracked twice",
        ),
    ):
        r = http.put(
            "/api/applicant/plan/tracker",
            json={"format": "matchweek.tracker/1", "programs": programs},
            headers=me,
        )
        assert r.status_code == 422
        assert r.json()["detail"] == detail
    assert [x["program"] for x in planner_store.planner_tracker(listed_world.store, "A01")] == [FM, IM]


# --- offers in hand -----------------------------------------------------------------------------------


def _round_one(world: World, applications: tuple[str, ...], offering: tuple[str, ...]) -> None:
    """A01 applies to ``applications``; the programs in ``offering`` list it; round 1 opens."""
    for code in applications:
        world.store.execute(SubmitApplication(world.clock.now(), "A01", code), actor="applicant-A01")
    world.move_clock("Tue 08:00")
    for code in offering:
        world.store.execute(CertifyPreferenceList(world.clock.now(), code, ("A01",)), actor="director")
    world.move_clock("Thu 09:00")


def test_the_offers_page_weighs_the_offers_in_hand(listed_world: World) -> None:
    _round_one(listed_world, (IM, FM), (IM, FM))
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/offers").text
    assert '<span id="recommendation">accept 1000001C0</span>' in page
    assert '<dd id="accept-value">4.00' in page and '<dd id="wait-value">0.00' in page
    assert "recommended: accept" in page
    decision = v.http.get("/api/applicant/offers/decision").json()
    assert decision["format"] == "matchweek.decision/1"
    assert (decision["recommendation"], decision["best_offer"], decision["round"], decision["rounds"]) == (
        "accept",
        IM,
        1,
        4,
    )
    assert (decision["accept_value"], decision["wait_value"]) == (4.0, 0.0)
    assert (decision["chance_unplaced_if_waiting"], decision["chance_unplaced_if_accepting"]) == (1.0, 0.0)
    assert (
        decision["reasons"][0]
        == "taking 1000001C0 now is worth 4.00; declining and waiting is worth 0.00 in expectation"
    )


def test_waiting_applications_carry_their_later_odds(listed_world: World) -> None:
    _round_one(listed_world, (IM, FM), (FM,))
    http = listed_world.client().http
    me = bearer(http, "applicant-A01")
    decision = http.get("/api/applicant/offers/decision", headers=me).json()
    assert decision["best_offer"] == FM and decision["accept_value"] == 3.0
    (later,) = decision["later"]
    odds = {
        p["program"]: p["odds"]
        for p in http.get("/api/applicant/plan", headers=me).json()["odds"]["programs"]
    }
    assert later["program"] == IM and later["better"] is True and later["utility"] == 4.0
    assert 0 < later["later_odds"] < odds[IM]
    assert decision["chance_better_offer"] == pytest.approx(later["later_odds"])
    assert decision["wait_value"] == pytest.approx(4.0 * later["later_odds"])


def test_no_recommendation_without_offers_in_hand(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    assert 'id="decision"' not in v.page("/applicant/offers").text
    r = v.http.get("/api/applicant/offers/decision")
    assert r.status_code == 409
    assert r.json()["detail"] == "no offer in hand in an open round: a recommendation needs offers to weigh"


# --- the OpenAPI document and the tables ---------------------------------------------------------------


def test_the_planner_api_is_in_the_openapi_document_with_its_shapes(world: World) -> None:
    document = world.client().http.get("/api/openapi.json").json()
    paths = document["paths"]
    for path, method in (
        ("/api/applicant/plan/profile", "get"),
        ("/api/applicant/plan/profile", "put"),
        ("/api/applicant/plan", "get"),
        ("/api/applicant/plan/tracker", "get"),
        ("/api/applicant/plan/tracker", "put"),
        ("/api/applicant/plan/tracker.csv", "get"),
        ("/api/applicant/plan/tracker.xlsx", "get"),
        ("/api/applicant/offers/decision", "get"),
        ("/api/applicants/{applicant_id}/plan/profile", "get"),
    ):
        assert method in paths[path], (path, method)
        assert "200" in paths[path][method]["responses"]
    schemas = document["components"]["schemas"]
    for name in ("ProfileDocument", "PlanOut", "TrackerDocument", "DecisionDocument"):
        assert name in schemas
    assert schemas["ProfileDocument"]["additionalProperties"] is False
    assert schemas["TrackedProgramDocument"]["additionalProperties"] is False


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database, once an SQLite file and once a PostgreSQL schema."""
    if request.param == "postgresql" and (problem := postgres_problem()) is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES} is unreachable under CI: {problem}")
        pytest.skip(f"PostgreSQL at {POSTGRES} is unreachable: {problem}")
    databases = Databases(request.param, tmp_path)
    try:
        yield databases.url()
    finally:
        databases.drop_all()


def test_the_planner_migration_applies_and_its_records_round_trip(database: str) -> None:
    with Store(database) as store:
        planner_store.save_planner_profile(
            store, "A01", {"format": "matchweek.profile/1", "kind": "us_md"}, actor="a"
        )
        planner_store.save_planner_tracker(
            store, "A01", [{"program": FM, "odds": 0.25, "j1": True}, {"program": IM}], actor="a"
        )
        planner_store.save_tracker_record(store, "A01", {"program": FM, "interest": 5}, actor="a")
    engine = create_engine(database)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        # The planner's revision (0002) or a later one.
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() >= "0002"
    engine.dispose()
    with Store(database) as again:
        assert planner_store.planner_profile(again, "A01") == {
            "format": "matchweek.profile/1",
            "kind": "us_md",
        }
        rows = planner_store.planner_tracker(again, "A01")
        assert [(r["program"], r["interest"], r["odds"], r["j1"]) for r in rows] == [
            (FM, 5, None, False),
            (IM, None, None, False),
        ]
        with pytest.raises(Exception, match="tracked twice"):
            planner_store.save_planner_tracker(again, "A01", [{"program": IM}, {"program": IM}], actor="a")
        assert len(planner_store.planner_tracker(again, "A01")) == 2


def test_the_planner_through_the_api_on_each_database(database: str) -> None:
    with make_world(url=database) as world:
        world.start_soap()
        world.move_clock("Mon 11:00")
        http = world.client().http
        me = bearer(http, "applicant-A01")
        document = http.get("/api/applicant/plan/profile", headers=me).json()
        document["criteria"] = {"must_haves": {"excluded_states": ["TX"]}}
        assert http.put("/api/applicant/plan/profile", json=document, headers=me).status_code == 200
        plan = http.get("/api/applicant/plan", headers=me).json()
        assert FM not in [p["program"] for p in plan["plan"]["picks"]]
        tracker = {"format": "matchweek.tracker/1", "programs": [{"program": IM, "notes": "é ✓"}]}
        assert http.put("/api/applicant/plan/tracker", json=tracker, headers=me).status_code == 200
        got = http.get("/api/applicant/plan/tracker", headers=me).json()
        assert [(r["program"], r["notes"]) for r in got["programs"]] == [(IM, "é ✓")]
