"""The list of unfilled programs as the planner reads it: from a market, or from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_helpers import small_listing, small_week

from matchweek.errors import FormatError
from matchweek.model import Policy, Visa
from matchweek.plan.listing import LISTING_TABLE, listing_from_start, read_listing, write_listing
from matchweek.plan.scores import clinical_score
from matchweek.soap import soap_universe


def test_the_listing_holds_the_programs_soap_opens_with_their_market_facts() -> None:
    market, result = small_week()
    start = soap_universe(market, result, Policy())
    listing = small_listing()
    assert [p.code for p in listing.programs] == [p.code for p in start.programs]
    by_code = market.program_index()
    scores = {a.id: clinical_score(a.exams) for a in market.applicants}
    for listed, opened in zip(listing.programs, start.programs, strict=True):
        p = by_code[listed.code]
        assert (listed.open, listed.track, listed.visa, listed.state) == (
            opened.open,
            p.track,
            p.visa,
            p.state,
        )
        assert (listed.institution, listed.img_share, listed.positions) == (
            p.institution,
            p.img_share,
            p.positions,
        )
        ranked = [s for who in p.rank_list if (s := scores[who]) is not None]
        assert listed.usual_score == (round(sum(ranked) / len(ranked), 1) if ranked else None)
    assert listing.match_year == 2025


def test_expected_applications_per_position_count_each_entrants_cap_or_what_it_can_see() -> None:
    market, result = small_week()
    policy = Policy(max_applications=3)
    start = soap_universe(market, result, policy)
    listing = listing_from_start(market, start, policy)
    visa = {a.id: a.visa_need for a in market.applicants}
    expected = 0
    for e in start.applicants:
        if not (e.verified and e.can_start_july_1):
            continue
        if e.holds is None:
            tracks = {p.track for p in listing.programs}
        elif e.holds.value == "advanced":
            tracks = {p.track for p in listing.programs if p.track.is_pgy1_only}
        else:
            tracks = {p.track for p in listing.programs if p.track.value == "advanced"}
        can = sum(
            1 for p in listing.programs if p.track in tracks and (visa[e.id] is None or visa[e.id] in p.visa)
        )
        expected += min(3, can)
    assert listing.applications_per_position == pytest.approx(expected / listing.open_positions)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_listing_file_reads_back_the_same_programs(tmp_path: Path, suffix: str) -> None:
    listing = small_listing()
    path = tmp_path / f"listing{suffix}"
    write_listing(listing, path)
    again = read_listing(path, match_year=2025, applications_per_position=120.0)
    assert again.programs == listing.programs
    assert (again.match_year, again.applications_per_position) == (2025, 120.0)


def test_a_bad_listing_file_names_each_faulty_cell(tmp_path: Path) -> None:
    path = tmp_path / "unfilled.csv"
    header = ",".join(LISTING_TABLE.header)
    path.write_text(
        f"{header}\n"
        "P1,categorical,2,,,Internal Medicine,NY,true,,0.4,,\n"
        "P2,fellowship,1,,,Surgery,OH,,,,,\n"
        "P1,preliminary,0,,,Surgery,OH,,,1.5,,\n"
    )
    with pytest.raises(FormatError) as err:
        read_listing(path, match_year=2025)
    lines = [line.removeprefix(f"{path}: ") for line in str(err.value).splitlines()]
    assert lines == [
        'unfilled.csv row 3, track: unknown track "fellowship" '
        "(one of categorical, preliminary, transitional, advanced, reserved)",
        'unfilled.csv row 4, code: program "P1" is listed twice (first at unfilled.csv row 2)',
        "unfilled.csv row 4, open: must be at least 1, got 0",
        "unfilled.csv row 4, img_share: must be a share from 0 to 1, got 1.5",
    ]


def test_a_listing_row_reads_visas_from_two_columns(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("code,track,open,j1,h1b\nA,categorical,1,true,true\nB,transitional,2,,\n")
    listing = read_listing(path, match_year=2024)
    assert [p.visa for p in listing.programs] == [(Visa.J1, Visa.H1B), ()]
    assert listing.applications_per_position is None
