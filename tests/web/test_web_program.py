"""The program's pages and API: applicant table, an applicant's file, preference list editor, round status."""

from __future__ import annotations

import re

from web_world import FM, IM, World, bearer

from matchweek.soap import SubmitApplication


def _apply(
    world: World, who: str, code: str, statement: str | None = None, letters: tuple[str, ...] = ()
) -> None:
    world.store.execute(
        SubmitApplication(world.clock.now(), who, code, statement, letters), actor=f"applicant-{who}"
    )


def _table_ids(html: str) -> list[str]:
    body = html.split('id="applicant-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-applicant="([^"]+)"', body)


def _draft(html: str) -> list[str]:
    body = html.split('id="draft-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li data-applicant="([^"]+)"', body)


def test_applications_are_hidden_until_review_starts(listed_world: World) -> None:
    _apply(listed_world, "A01", IM)
    v = listed_world.client()
    v.sign_in("director")
    page = v.page(f"/program/{IM}/applicants").text
    assert "1 application received. Programs review applications from Tue 08:00." in page
    assert "applicant-table" not in page
    http = listed_world.client().http
    r = http.get(f"/api/programs/{IM}/applicants", headers=bearer(http, "director"))
    assert r.status_code == 409
    assert r.json() == {"detail": "Programs review applications from Tue 08:00."}


def test_the_applicant_table_shows_what_programs_screen_on(listed_world: World) -> None:
    for who in ("A01", "A02", "A06"):
        _apply(listed_world, who, IM)
    listed_world.move_clock("Tue 08:00")
    http = listed_world.client().http
    table = http.get(f"/api/programs/{IM}/applicants", headers=bearer(http, "director")).json()
    assert table["total"] == 3
    a02 = table["applicants"][1]
    assert a02 == {
        "id": "A02",
        "kind": "non_us_img",
        "soap_status": "unmatched",
        "exams": [
            {"exam": "usmle_step1", "passed": True, "attempts": 2, "score": None},
            {"exam": "usmle_step2_ck", "passed": True, "attempts": 1, "score": 228},
        ],
        "best_score": 228,
        "exam_failures": 1,
        "graduation_year": 2021,
        "visa_need": "J-1",
        "us_clinical_months": 2,
        "ties": [],
        "tie_to_program_state": False,
        "red_flags": ["remediation"],
        "offer_status": None,
        "list_rank": None,
    }
    assert table["applicants"][0]["tie_to_program_state"] is True  # A01 has ties to OH, IM's state


def test_the_applicant_table_filters_and_sorts(listed_world: World) -> None:
    for who in ("A01", "A02", "A06"):
        _apply(listed_world, who, IM)
    listed_world.move_clock("Tue 08:00")
    v = listed_world.client()
    v.sign_in("director")
    cases = {
        "": ["A01", "A02", "A06"],
        "?kind=us_img": ["A01"],
        "?visa=none": ["A01", "A06"],
        "?visa=J-1": ["A02"],
        "?visa=any": ["A02"],
        "?max_failures=0": ["A01", "A06"],
        "?min_score=240": ["A01", "A06"],
        "?min_graduation_year=2024": ["A01", "A06"],
        "?ties_only=1": ["A01"],
        "?no_red_flags=1": ["A01", "A06"],
        "?sort=score&order=desc": ["A06", "A01", "A02"],
        "?sort=clinical": ["A02", "A01", "A06"],
        "?sort=graduation_year&order=desc": ["A06", "A01", "A02"],
    }
    for query, expected in cases.items():
        assert _table_ids(v.page(f"/program/{IM}/applicants{query}").text) == expected, query
        partial = v.http.get(f"/program/{IM}/applicants{query}", headers={"HX-Request": "true"}).text
        assert partial.startswith('<div id="applicant-rows">')
        assert _table_ids(partial) == expected, query
    http = listed_world.client().http
    api = http.get(
        f"/api/programs/{IM}/applicants?sort=score&descending=true&no_red_flags=true",
        headers=bearer(http, "director"),
    ).json()
    assert [a["id"] for a in api["applicants"]] == ["A06", "A01"]


def test_an_applicants_file_shows_the_documents_attached_to_this_program_only(listed_world: World) -> None:
    _apply(listed_world, "A01", IM, "A01-PS1", ("A01-L1", "A01-L3"))
    _apply(listed_world, "A01", FM, "A01-PS1", ("A01-L2",))
    listed_world.move_clock("Tue 08:00")
    http = listed_world.client().http
    detail = http.get(f"/api/programs/{IM}/applicants/A01", headers=bearer(http, "director")).json()
    assert detail["personal_statement"] == {
        "id": "A01-PS1",
        "kind": "personal_statement",
        "specialty": "Internal Medicine",
        "author": None,
    }
    assert [d["id"] for d in detail["letters"]] == ["A01-L1", "A01-L3"]
    assert detail["submitted_at"] == "Mon 11:00"
    v = listed_world.client()
    v.sign_in("director")
    page = v.page(f"/program/{IM}/applicants/A01").text
    assert "Letter A01-L3 by Dr. L3 (for Internal Medicine)" in page
    assert "A01-L2" not in page  # attached to the application to FM, not to IM


def test_the_list_editor_reorders_adds_and_removes_without_storing_until_certified(
    listed_world: World,
) -> None:
    for who in ("A01", "A02", "A06"):
        _apply(listed_world, who, IM)
    listed_world.move_clock("Tue 08:00")
    v = listed_world.client()
    v.sign_in("director")
    page = v.page(f"/program/{IM}/preference-list").text
    assert _draft(page) == []
    assert "Round 1 opens at <strong>Thu 09:00</strong>" in page

    def edit(action: str, entries: list[str], target: str = "") -> list[str]:
        r = v.http.post(
            f"/program/{IM}/preference-list/edit",
            data={"action": action, "target": target, "draft": " ".join(entries)},
            headers={"HX-Request": "true", "X-CSRF-Token": v.token or ""},
        )
        assert r.status_code == 200, r.text
        assert r.text.startswith('<div id="list-editor">')
        return _draft(r.text)

    draft = edit("add", [], "A02")
    draft = edit("add", draft, "A01")
    draft = edit("add", draft, "A06")
    assert draft == ["A02", "A01", "A06"]
    assert edit("up:A06", draft) == ["A02", "A06", "A01"]
    assert edit("top:A01", draft) == ["A01", "A02", "A06"]
    assert edit("bottom:A02", draft) == ["A01", "A06", "A02"]
    assert edit("down:A01", draft) == ["A02", "A06", "A01"]
    assert edit("down:A06", draft) == draft  # the last entry stays last
    assert edit("remove:A01", draft) == ["A02", "A06"]
    # Someone who did not apply cannot be slipped in.
    assert edit("add", draft, "A03") == draft
    assert edit("up:A02", ["A02", "A03", "A06"]) == ["A02", "A06"]
    assert listed_world.store.preference_list(IM) is None

    messages = v.act(f"/program/{IM}/preference-list/certify", {"draft": "A06 A02"})
    assert messages == [("ok", "Preference list of 1000001C0 certified with 2 applicants.")]
    assert listed_world.store.preference_list(IM) == ("A06", "A02")
    assert _draft(v.page(f"/program/{IM}/preference-list").text) == ["A06", "A02"]
    events = listed_world.store.events()
    assert (events[-1].actor, type(events[-1].event).__name__) == ("director", "PreferenceListCertified")


def test_certifying_someone_who_did_not_apply_names_the_rule(listed_world: World) -> None:
    _apply(listed_world, "A01", IM)
    listed_world.move_clock("Tue 08:00")
    http = listed_world.client().http
    r = http.put(
        f"/api/programs/{IM}/preference-list",
        json={"applicants": ["A01", "A06"]},
        headers=bearer(http, "director"),
    )
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "1000001C0: preference list names A06, who did not apply (entry 1) (rule §5 certify.not_applied)"
    )
    assert r.json()["rule"] == "certify.not_applied"


def test_round_status_counts_offers_and_open_positions(listed_world: World) -> None:
    from matchweek.soap import Accept, Reject

    for who in ("A01", "A02", "A06"):
        _apply(listed_world, who, IM)
    listed_world.move_clock("Tue 08:00")
    http = listed_world.client().http
    headers = bearer(http, "director")
    http.put(
        f"/api/programs/{IM}/preference-list", json={"applicants": ["A01", "A02", "A06"]}, headers=headers
    )
    listed_world.move_clock("Thu 09:00")
    status = http.get(f"/api/programs/{IM}/round-status", headers=headers).json()
    assert (status["offers_out"], status["accepted"], status["open"], status["positions"]) == (2, 0, 0, 2)
    listed_world.store.execute(Accept(listed_world.clock.now(), "A01", (IM,)), actor="applicant-A01")
    listed_world.store.execute(Reject(listed_world.clock.now(), "A02", (IM,)), actor="applicant-A02")
    listed_world.move_clock("Thu 12:00")  # round 1 closes, round 2 opens: A06 gets the position A02 rejected
    status = http.get(f"/api/programs/{IM}/round-status", headers=headers).json()
    assert status["offers"] == [
        {"applicant": "A01", "round": 1, "status": "accepted"},
        {"applicant": "A02", "round": 1, "status": "rejected"},
        {"applicant": "A06", "round": 2, "status": "open"},
    ]
    assert (
        status["offers_out"],
        status["accepted"],
        status["rejected"],
        status["expired"],
        status["open"],
    ) == (1, 1, 1, 0, 0)
    listed_world.move_clock("Thu 14:00")
    v = listed_world.client()
    v.sign_in("director")
    page = v.page(f"/program/{IM}").text
    for ident, value in (
        ("fig-out", 0),
        ("fig-accepted", 1),
        ("fig-rejected", 1),
        ("fig-expired", 1),
        ("fig-open", 1),
    ):
        assert f'<dd id="{ident}">{value}</dd>' in page, ident
    assert "Round 2 has closed." in page
