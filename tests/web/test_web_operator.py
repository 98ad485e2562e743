"""The operator's pages and API: load a market, run the Main Match, start SOAP, move the clock,
dashboards, exports, the audit log and accounts."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from web_world import FM, IM, PRELIM, World, bearer, tiny_market

from matchweek.formats import (
    market_to_json,
    read_market_csv,
    read_market_xlsx,
    result_from_json,
    soap_result_from_document,
    write_market_csv,
    write_market_xlsx,
)
from matchweek.soap import SubmitApplication
from matchweek.week.eventlog import read_event_log


def _operator(world: World) -> tuple:
    http = world.client().http
    return http, bearer(http, "operator")


def _smaller_market_json() -> bytes:
    from dataclasses import replace

    market = tiny_market()
    applicants = tuple(replace(a, rank_list=()) for a in market.applicants)
    return market_to_json(replace(market, programs=market.programs[:3], applicants=applicants))


def test_loading_a_market_as_json_replaces_the_market_and_its_result(world: World) -> None:
    http, headers = _operator(world)
    r = http.post(
        "/api/operator/market", files={"file": ("smaller.json", _smaller_market_json())}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json() == {"market": {"programs": 3, "positions": 4, "applicants": 7, "couples": 0}}
    assert world.store.match_result() is None
    assert http.post("/api/operator/main-match", headers=headers).json() == {
        "matched": 0,
        "partially_matched": 0,
        "unmatched": 7,
        "positions_filled": 0,
        "positions_unfilled": 4,
        "instabilities": 0,
    }


def test_loading_a_market_as_csv_tables_or_a_workbook(world: World, tmp_path: Path) -> None:
    http, headers = _operator(world)
    folder = tmp_path / "tables"
    write_market_csv(tiny_market(), folder)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"market/{f.name}")
    r = http.post("/api/operator/market", files={"file": ("market.zip", archive.getvalue())}, headers=headers)
    assert r.status_code == 201, r.text
    assert world.store.market() == read_market_csv(folder)
    workbook = tmp_path / "market.xlsx"
    write_market_xlsx(tiny_market(), workbook)
    r = http.post("/api/operator/market", files={"file": ("m.xlsx", workbook.read_bytes())}, headers=headers)
    assert r.status_code == 201, r.text
    assert world.store.market() == read_market_xlsx(workbook)


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("m.json", b"{not json", "m.json: not valid JSON: "),
        (
            "m.json",
            b'{"format": "matchweek.market/1", "programs": [], "applicants": [], "bogus": 1}',
            "m.json: bogus: unknown field",
        ),
        (
            "m.txt",
            b"hello",
            "m.txt: upload a market as .json (matchweek.market/1), .xlsx, or a .zip of its CSV",
        ),
        ("m.zip", b"PK not really", "m.zip: is not a ZIP archive"),
        ("m.xlsx", b"not a workbook", "m.xlsx: is not an XLSX workbook"),
        ("m.json", b"", "m.json: the uploaded file is empty"),
    ],
)
def test_a_bad_market_file_is_refused_whole_with_one_line(
    world: World, name: str, content: bytes, detail: str
) -> None:
    http, headers = _operator(world)
    before = world.store.market()
    r = http.post("/api/operator/market", files={"file": (name, content)}, headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"].startswith(detail), r.json()
    assert "\n" not in r.json()["detail"]
    assert world.store.market() is before


def test_a_zip_reaching_outside_its_folder_is_refused(world: World) -> None:
    http, headers = _operator(world)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../etc/programs.csv", "code,track,positions\n")
    r = http.post("/api/operator/market", files={"file": ("evil.zip", archive.getvalue())}, headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"] == "evil.zip: ../../etc/programs.csv: a path outside the archive's folder"


def test_the_market_page_uploads_runs_the_match_and_starts_soap(world: World) -> None:
    v = world.client()
    v.sign_in("operator")
    v.page("/operator/market")
    r = v.http.post(
        "/operator/market",
        files={"file": ("smaller.json", _smaller_market_json())},
        data={"csrf_token": v.token or ""},
        follow_redirects=True,
    )
    assert "Market loaded: 3 programs with 4 positions, 7 applicants." in r.text
    assert v.act("/operator/main-match", {}) == [("ok", "Main Match run: 0 positions filled, 4 unfilled.")]
    assert v.act("/operator/soap/start", {"max_applications": "10", "rounds": "3", "soap_end": ""}) == [
        ("ok", "SOAP started.")
    ]
    policy = world.store.state().policy
    assert policy is not None
    assert (policy.max_applications, policy.rounds, policy.soap_end) == (10, 3, "Thu 21:00")
    assert v.act("/operator/soap/start", {}) == [("error", "cannot start SOAP: SOAP has already started")]


def test_an_inconsistent_policy_is_refused(world: World) -> None:
    http, headers = _operator(world)
    r = http.post("/api/operator/soap", json={"soap_end": "Thu 10:00"}, headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"] == "policy.soap_end: must not come before the last round closes (Thu 20:00)"
    r = http.post("/api/operator/soap", json={"rounds": "four"}, headers=headers)
    assert r.status_code == 422
    assert (
        r.json()["detail"]
        == "body.rounds: Input should be a valid integer, unable to parse string as an integer"
    )
    assert not world.store.state().started


def test_moving_the_clock_fires_the_steps_due_and_attributes_them(world: World) -> None:
    http, headers = _operator(world)
    assert http.post("/api/operator/soap", json={}, headers=headers).status_code == 201
    overview = http.post("/api/operator/clock", json={"at": "Mon 11:00"}, headers=headers).json()
    assert overview["clock"] == "Mon 11:00"
    assert overview["soap"]["list_published"] is True
    done = {s["key"]: s["done"] for s in overview["schedule"]}
    assert done["status_release"] and done["list_release"] and not done["review_start"]
    assert [s["key"] for s in overview["schedule"]][:4] == [
        "status_release",
        "list_release",
        "review_start",
        "round_1_opens",
    ]
    events = http.get("/api/operator/events", headers=headers).json()
    assert [(e["event"]["type"], e["actor"]) for e in events] == [
        ("soap_started", "operator"),
        ("status_released", "operator"),
        ("unfilled_list_published", "operator"),
    ]
    r = http.post("/api/operator/clock", json={"at": "Mon 10:00"}, headers=headers)
    assert r.status_code == 409
    assert r.json() == {"detail": "the clock is at Mon 11:00; it never goes back to Mon 10:00"}
    r = http.post("/api/operator/clock", json={"at": "Thursday 9am"}, headers=headers)
    assert r.status_code == 422


def test_the_overview_offers_to_move_the_clock_to_the_next_step(world: World) -> None:
    world.start_soap()
    v = world.client()
    v.sign_in("operator")
    page = v.page("/operator").text
    assert "Move the clock to Mon 10:00 now" in page
    assert v.act("/operator/clock", {"at": "Mon 10:00"}) == [
        ("ok", "Clock moved to Mon 10:00; 1 event recorded.")
    ]
    assert "Move the clock to Mon 11:00 now" in v.page("/operator").text


def _week_so_far(world: World) -> None:
    world.start_soap()
    world.move_clock("Mon 11:00")
    for who, code in (("A01", IM), ("A02", IM), ("A06", FM), ("A04", PRELIM)):
        world.store.execute(SubmitApplication(world.clock.now(), who, code), actor=f"applicant-{who}")
    from matchweek.soap import Accept, CertifyPreferenceList

    world.move_clock("Tue 08:00")
    for code, order in ((IM, ("A01", "A02")), (FM, ("A06",)), (PRELIM, ("A04",))):
        world.store.execute(CertifyPreferenceList(world.clock.now(), code, order), actor="director")
    world.move_clock("Thu 09:00")
    world.store.execute(Accept(world.clock.now(), "A01", (IM,)), actor="applicant-A01")
    world.store.execute(Accept(world.clock.now(), "A04", (PRELIM,)), actor="applicant-A04")
    world.move_clock("Thu 11:00")


def test_the_dashboard_charts_fill_by_round_specialty_and_kind(world: World) -> None:
    _week_so_far(world)
    v = world.client()
    v.sign_in("operator")
    page = v.page("/operator/dashboard").text
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in page
    for ident in ("fill", "specialty", "kind"):
        block = page.split(f'data-chart="chart-{ident}">', 1)[1].split("</script>", 1)[0]
        figure = json.loads(block)
        assert figure["data"], ident
    fill = json.loads(page.split('data-chart="chart-fill">', 1)[1].split("</script>", 1)[0])
    offers = next(t for t in fill["data"] if t["name"] == "Offers")
    accepted = next(t for t in fill["data"] if t["name"] == "Accepted")
    assert (offers["x"], offers["y"], accepted["y"]) == (["Round 1"], [4], [2])
    assert "2 of 5 SOAP positions placed; 1 of 4 rounds run." in page


def test_exports_round_trip_through_the_formats(world: World) -> None:
    _week_so_far(world)
    http, headers = _operator(world)

    def get(name: str) -> bytes:
        r = http.get(f"/api/operator/exports/{name}", headers=headers)
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-disposition"].startswith("attachment; filename=")
        return r.content

    assert get("market.json") == market_to_json(world.store.market())
    assert result_from_json(get("result.json")) == world.store.match_result()
    soap = soap_result_from_document(json.loads(get("soap-result.json")))
    assert [(m.applicant, m.program, m.round) for m in soap.matches] == [("A01", IM, 1), ("A04", PRELIM, 1)]
    with zipfile.ZipFile(io.BytesIO(get("market-csv.zip"))) as z:
        assert "programs.csv" in z.namelist()
    assert get("market.xlsx")[:2] == b"PK"
    assert get("result.xlsx")[:2] == b"PK"
    assert get("result-csv.zip")[:2] == b"PK"
    assert json.loads(get("week-stats.json"))["format"] == "matchweek.week-stats/1"
    log = world.store.events()
    path = Path(__file__).parent / "__exported_events.jsonl"
    try:
        path.write_bytes(get("soap-events.jsonl"))
        assert read_event_log(path) == tuple(s.event for s in log)
    finally:
        path.unlink(missing_ok=True)
    assert http.get("/api/operator/exports/secrets.txt", headers=headers).status_code == 422


def test_exports_that_do_not_exist_yet_say_so(world: World) -> None:
    http, headers = _operator(world)
    r = http.get("/api/operator/exports/soap-result.json", headers=headers)
    assert r.status_code == 409
    assert r.json() == {"detail": "SOAP has not started"}
    v = world.client()
    v.sign_in("operator")
    assert v.page("/operator/exports/nothing.bin").status_code == 404


def test_the_soap_result_api_speaks_the_public_format(world: World) -> None:
    _week_so_far(world)
    http, headers = _operator(world)
    document = http.get("/api/operator/soap-result", headers=headers).json()
    assert document["format"] == "matchweek.soap-result/1"
    assert document["rounds"] == [
        {
            "round": 1,
            "offers": [
                {"program": IM, "applicant": "A01"},
                {"program": IM, "applicant": "A02"},
                {"program": FM, "applicant": "A06"},
                {"program": PRELIM, "applicant": "A04"},
            ],
            "accepted": [{"program": IM, "applicant": "A01"}, {"program": PRELIM, "applicant": "A04"}],
            "rejected": [],
            "expired": [{"program": IM, "applicant": "A02"}, {"program": FM, "applicant": "A06"}],
        }
    ]
    soap_result_from_document(document)  # valid matchweek.soap-result/1
    result = http.get("/api/operator/result", headers=headers).json()
    assert result["format"] == "matchweek.result/1"
    assert result["applicants"]["A03"] == "matched"


def test_the_audit_log_names_who_did_each_thing(world: World) -> None:
    _week_so_far(world)
    v = world.client()
    v.sign_in("operator")
    page = v.page("/operator/audit").text
    assert "<td>applicant-A01</td><td>offer_accepted</td>" in page
    assert "<td>director</td><td>preference_list_certified</td>" in page
    http, headers = _operator(world)
    events = http.get("/api/operator/events?since=3&limit=2", headers=headers).json()
    assert [e["seq"] for e in events] == [4, 5]
    assert events[0]["event"] == {
        "type": "application_submitted",
        "at": 660,
        "applicant": "A01",
        "program": IM,
        "personal_statement": None,
        "letters": [],
    }
    assert events[0]["actor"] == "applicant-A01"


def test_the_operator_creates_accounts(world: World) -> None:
    http, headers = _operator(world)
    r = http.post(
        "/api/operator/accounts",
        json={
            "username": "coordinator",
            "password": "long-enough-pw",
            "role": "program",
            "programs": [IM, FM],
        },
        headers=headers,
    )
    assert r.status_code == 201
    assert r.json() == {
        "username": "coordinator",
        "role": "program",
        "programs": [IM, FM],
        "applicant": None,
        "display_name": "coordinator",
    }
    again = http.post(
        "/api/operator/accounts",
        json={"username": "coordinator", "password": "long-enough-pw", "role": "program", "programs": [IM]},
        headers=headers,
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "username 'coordinator' is taken"}
    v = world.client()
    v.sign_in("operator")
    v.page("/operator/accounts")
    assert v.act(
        "/operator/accounts",
        {"username": "a6", "password": "long-enough-pw", "role": "applicant", "applicant": "A06"},
    ) == [("ok", "Account a6 (applicant) created.")]
    assert v.act("/operator/accounts", {"username": "x", "password": "short", "role": "operator"}) == [
        ("error", "x: the password must have at least 8 characters")
    ]
    assert world.client().sign_in("a6", "long-enough-pw").headers["location"] == "/applicant"
