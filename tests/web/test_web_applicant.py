"""The applicant's pages and API: status, the unfilled list with filters, applying, offers, history."""

from __future__ import annotations

import re
from datetime import timedelta

from web_world import DERM, FM, IM, PRELIM, World, bearer

from matchweek.model import WeekTime
from matchweek.soap import CertifyPreferenceList, SubmitApplication


def _rows(html: str, table: str) -> list[str]:
    """The data-program (or data-applicant) keys of a table's rows, in order."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-(?:program|applicant)="([^"]+)"', body)


def test_match_status_stays_hidden_until_its_release(world: World) -> None:
    v = world.client()
    v.sign_in("applicant-A04")
    assert "Match Week has not begun" in v.page("/applicant").text
    world.start_soap()
    page = v.page("/applicant").text
    assert "Your Match status is released at <strong>Mon 10:00</strong>." in page
    assert "Partially matched" not in page
    world.move_clock("Mon 10:00")
    page = v.page("/applicant").text
    assert '<p class="status status-partially_matched">Partially matched</p>' in page
    assert "Main Match position held: 1000004A0" in page
    api = v.http.get("/api/applicant/status").json()
    assert api["match_status"] == "partially_matched"
    assert api["needs"] == ["pgy1_only"]
    assert api["unfilled_list_note"] == "The List of Unfilled Programs is released at Mon 11:00."


def test_a_matched_applicant_sees_its_match_and_no_soap(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A03")
    page = v.page("/applicant").text
    assert '<p class="status status-matched">Matched</p>' in page
    assert "Main Match position held: 1000006C0" in page
    assert "Only applicants unmatched or partially matched in the Main Match take part in SOAP." in page
    assert "applications used" not in page


def test_the_unfilled_list_filters_and_sorts(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/unfilled").text
    assert _rows(page, "unfilled-table") == [IM, FM, PRELIM, DERM]
    assert "0 of 45</strong> applications used" in page
    cases = {
        "?specialty=Internal+Medicine": [IM],
        "?track=preliminary": [PRELIM],
        "?state=OH": [IM, PRELIM],
        "?visa=H-1B": [PRELIM],
        "?visa=J-1&sort=img_share&order=desc": [IM, PRELIM],
        "?min_img_share=30": [IM, PRELIM],
        "?sort=img_share": [DERM, FM, PRELIM, IM],
        "?sort=name": [DERM, PRELIM, FM, IM],
        "?sort=open": [FM, PRELIM, DERM, IM],
        "?sort=open&order=desc": [IM, DERM, PRELIM, FM],
        "?state=ZZ": [],
    }
    for query, expected in cases.items():
        full = v.page("/applicant/unfilled" + query).text
        assert _rows(full, "unfilled-table") == expected, query
        # The same filters as an htmx partial: only the rows come back.
        partial = v.http.get("/applicant/unfilled" + query, headers={"HX-Request": "true"}).text
        assert partial.startswith('<div id="unfilled-rows">')
        assert "<html" not in partial
        assert _rows(partial, "unfilled-table") == expected, query


def test_a_bad_filter_value_is_a_clear_422(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    r = v.page("/applicant/unfilled?min_img_share=lots")
    assert r.status_code == 422
    assert "min_img_share: must be a number, got &#39;lots&#39;" in r.text
    http = listed_world.client().http
    r = http.get("/api/applicant/unfilled?min_img_share=250", headers=bearer(http, "applicant-A01"))
    assert r.status_code == 422
    assert r.json()["detail"] == "query.min_img_share: Input should be less than or equal to 100"


def test_applying_with_chosen_documents_counts_against_the_cap(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    form = v.page(f"/applicant/apply/{IM}").text
    assert "0 of 45</strong> applications used; this one will be number 1." in form
    assert 'value="A01-L5"' in form  # every letter on file may be chosen
    messages = v.act(
        f"/applicant/apply/{IM}", {"personal_statement": "A01-PS1", "letters": ["A01-L2", "A01-L5"]}
    )
    assert messages == [("ok", f"Application sent to {IM}.")]
    (sent,) = listed_world.store.applications_of("A01")
    assert (sent.program, sent.personal_statement, sent.letters) == (IM, "A01-PS1", ("A01-L2", "A01-L5"))
    page = v.page("/applicant/applications").text
    assert "1 of 45</strong> applications used" in page
    assert _rows(page, "applications-table") == [IM]
    assert "A01-L2, A01-L5" in page
    unfilled = v.page("/applicant/unfilled").text
    assert '<span class="badge">applied</span>' in unfilled
    assert "You have applied to 1000001C0." in v.page(f"/applicant/apply/{IM}").text


def test_too_many_letters_are_refused_by_the_policy(listed_world: World) -> None:
    v = listed_world.client()
    v.sign_in("applicant-A01")
    v.page(f"/applicant/apply/{IM}")
    letters = [f"A01-L{i}" for i in range(1, 6)]
    messages = v.act(f"/applicant/apply/{IM}", {"personal_statement": "A01-PS1", "letters": letters})
    assert messages == [
        (
            "error",
            "A01: application to 1000001C0: 5 letters, the policy allows at most 4 "
            "(rule §4 apply.documents.letters)",
        )
    ]
    assert listed_world.store.applications_of("A01") == []


def test_the_application_cap_comes_from_the_policy(world: World) -> None:
    world.start_soap(max_applications=2)
    world.move_clock("Mon 11:00")
    http = world.client().http
    headers = bearer(http, "applicant-A01")
    for code in (IM, FM):
        assert (
            http.post("/api/applicant/applications", json={"program": code}, headers=headers).status_code
            == 201
        )
    status = http.get("/api/applicant/status", headers=headers).json()
    assert (status["applications_used"], status["applications_cap"]) == (2, 2)
    r = http.post("/api/applicant/applications", json={"program": PRELIM}, headers=headers)
    assert r.status_code == 409
    assert r.json()["rule"] == "apply.cap"
    assert r.json()["detail"] == (
        "A01: cannot apply to 1000003P0: already sent 2 applications, the most the policy allows "
        "(rule §4 apply.cap)"
    )


def _offer_round(world: World) -> None:
    """A01 applies to IM and FM, A02 to IM; both programs list A01 first; round 1 opens at Thu 09:00."""
    for who, code in (("A01", IM), ("A01", FM), ("A02", IM)):
        world.store.execute(SubmitApplication(world.clock.now(), who, code), actor=f"applicant-{who}")
    world.move_clock("Tue 08:00")
    for code, order in ((IM, ("A01", "A02")), (FM, ("A01",))):
        world.store.execute(CertifyPreferenceList(world.clock.now(), code, order), actor="director")
    world.move_clock("Thu 09:00")


def test_open_offers_count_down_to_the_rounds_close(listed_world: World) -> None:
    _offer_round(listed_world)
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/offers").text
    assert _rows(page, "open-offers") == [IM, FM]
    closes = listed_world.clock.wall_time_of(WeekTime.parse("Thu 11:00"))
    assert closes == listed_world.wall.now + timedelta(hours=2)
    assert f'data-deadline="{closes.isoformat()}"' in page
    assert "until Thu 11:00" in page
    offers = v.http.get("/api/applicant/offers").json()
    assert [(o["program"], o["status"], o["closes_at_week"]) for o in offers] == [
        (IM, "open", "Thu 11:00"),
        (FM, "open", "Thu 11:00"),
    ]


def test_accepting_takes_a_binding_confirmation(listed_world: World) -> None:
    _offer_round(listed_world)
    v = listed_world.client()
    v.sign_in("applicant-A01")
    confirm = v.page(f"/applicant/offers/accept?program={IM}").text
    assert "This is binding" in confirm
    assert "I understand that this acceptance is binding." in confirm
    assert v.act("/applicant/offers/accept", {"program": IM}) == [
        ("error", "an acceptance is binding: confirm that you understand this to accept an offer")
    ]
    assert [o.status.value for o in _offers(listed_world, "A01")] == ["open", "open"]
    assert v.act("/applicant/offers/accept", {"program": IM, "confirm": "yes"}) == [
        ("ok", "You accepted 1000001C0: this is a binding match.")
    ]
    # Accepting a full-training position rejects the other offer it no longer needs (§5).
    assert [(o.program, o.status.value) for o in _offers(listed_world, "A01")] == [
        (IM, "accepted"),
        (FM, "rejected"),
    ]
    page = v.page("/applicant").text
    assert "You accepted 1000001C0 in SOAP: a binding match." in page


def test_the_api_acceptance_needs_confirm_binding(listed_world: World) -> None:
    _offer_round(listed_world)
    http = listed_world.client().http
    headers = bearer(http, "applicant-A01")
    r = http.post(
        "/api/applicant/offers/accept", json={"programs": [IM], "confirm_binding": False}, headers=headers
    )
    assert r.status_code == 422
    assert (
        r.json()["detail"] == "an acceptance is binding: confirm that you understand this to accept an offer"
    )
    r = http.post("/api/applicant/offers/accept", json={"programs": [IM]}, headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"] == "body.confirm_binding: Field required"


def test_rejecting_an_offer(listed_world: World) -> None:
    _offer_round(listed_world)
    v = listed_world.client()
    v.sign_in("applicant-A01")
    v.page("/applicant/offers")
    assert v.act("/applicant/offers/reject", {"program": FM}) == [
        ("ok", "You rejected the offer from 1000002C0.")
    ]
    assert v.act("/applicant/offers/reject", {"program": FM}) == [
        (
            "error",
            "round 1: A01: cannot reject 1000002C0: the offer from 1000002C0 was already rejected "
            "(rule §5 offer.reject.not_offered)",
        )
    ]
    page = v.page("/applicant/offers").text
    assert _rows(page, "open-offers") == [IM]
    assert "badge-rejected" in page


def test_an_unanswered_offer_expires_when_the_round_closes(listed_world: World) -> None:
    _offer_round(listed_world)
    listed_world.move_clock("Thu 11:00")
    v = listed_world.client()
    v.sign_in("applicant-A02")
    page = v.page("/applicant/offers").text
    assert "open-offers" not in page
    assert _rows(page, "all-offers") == [IM]
    assert page.count("badge-expired") == 1
    v = listed_world.client()
    v.sign_in("applicant-A01")
    page = v.page("/applicant/offers").text
    assert page.count("badge-expired") == 2
    history = v.page("/applicant/history").text
    assert "The offer from 1000001C0 expired unanswered" in history
    assert "Round 1 closed" in history


def test_history_holds_only_ones_own_events(listed_world: World) -> None:
    _offer_round(listed_world)
    http = listed_world.client().http
    entries = http.get("/api/applicant/history", headers=bearer(http, "applicant-A02")).json()
    texts = [e["text"] for e in entries]
    assert texts == [
        "Match status released",
        "List of Unfilled Programs released; applications open",
        "Applied to 1000001C0",
        "Round 1 opened",
        "Offer from 1000001C0 (round 1)",
    ]
    assert [e["at"] for e in entries] == ["Mon 10:00", "Mon 11:00", "Mon 11:00", "Thu 09:00", None]


def _offers(world: World, applicant: str) -> tuple:
    from matchweek.soap import offers_of

    return offers_of(world.store.state(), applicant)
