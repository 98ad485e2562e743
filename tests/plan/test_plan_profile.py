"""Profiles: the matchweek.profile/1 file, utilities under tiers and criteria, derived profiles."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from plan_helpers import small_listing, small_week

from matchweek.errors import FormatError
from matchweek.model import ApplicantKind, Exam, ExamResult, Holding, Track, Visa
from matchweek.plan.listing import ListedProgram
from matchweek.plan.profile import (
    MustHaves,
    Preferences,
    Profile,
    Tier,
    TierEntry,
    component_specialties,
    exclusions,
    profile_from_document,
    profile_of,
    profile_to_document,
    read_profile,
    same_specialty,
    write_profile,
)

MED_PSYCH = "Internal Medicine–Psychiatry"

DOCUMENT: dict[str, object] = {
    "format": "matchweek.profile/1",
    "applicant": "A-7",
    "kind": "non_us_img",
    "graduation_year": 2022,
    "visa_need": "J-1",
    "us_clinical_months": 6,
    "exams": [
        {"exam": "usmle_step1", "passed": True, "attempts": 2},
        {"exam": "usmle_step2_ck", "passed": True, "score": 238},
    ],
    "letters": [
        {"id": "L1", "specialty": "Internal Medicine", "author": "Dr. Rao"},
        {"id": "L2", "specialty": "Psychiatry"},
    ],
    "personal_statements": [{"id": "PS-IM", "specialty": "Internal Medicine"}],
    "ties": ["NY", "NJ"],
    "red_flags": ["leave_of_absence"],
    "known_institutions": ["1234"],
    "priorities": [
        {"name": "combined", "utility": 10, "programs": [{"specialty": MED_PSYCH}]},
        {
            "name": "categorical IM or psychiatry",
            "utility": 7,
            "programs": [
                {"specialty": "Internal Medicine", "tracks": ["categorical"]},
                {"specialty": "Psychiatry"},
            ],
        },
        {
            "name": "one year",
            "utility": 4,
            "programs": [
                {"specialty": "Internal Medicine", "tracks": ["preliminary"]},
                {"specialty": "Transitional Year"},
            ],
        },
        {"name": "others", "utility": 1, "programs": ["*"]},
    ],
    "criteria": {
        "must_haves": {"visas": ["J-1", "H-1B"], "excluded_states": ["AK"]},
        "preferences": {
            "regions": ["Northeast"],
            "region_weight": 1.5,
            "tracks": ["categorical"],
            "track_weight": 0.5,
            "min_positions": 10,
            "size_weight": 0.25,
        },
    },
}


def program(code: str = "P", **kw: object) -> ListedProgram:
    base: dict[str, object] = {
        "track": Track.CATEGORICAL,
        "open": 1,
        "specialty": "Internal Medicine",
        "state": "NY",
    }
    base.update(kw)
    return ListedProgram(code, **base)  # type: ignore[arg-type]


def test_a_profile_file_reads_every_field() -> None:
    p = profile_from_document(DOCUMENT)
    assert p.kind is ApplicantKind.NON_US_IMG
    assert p.applicant == "A-7"
    assert p.exam_failures == 1
    assert p.clinical_score == 238.0
    assert p.accepted_visas == (Visa.J1, Visa.H1B)
    assert [t.utility for t in p.priorities] == [10.0, 7.0, 4.0, 1.0]
    assert p.priorities[1].entries[0] == TierEntry("Internal Medicine", (Track.CATEGORICAL,))
    assert p.priorities[3].entries == (TierEntry("*"),)
    assert p.must_haves == MustHaves(visas=(Visa.J1, Visa.H1B), excluded_states=("AK",))
    assert p.preferences == Preferences(
        regions=("Northeast",),
        region_weight=1.5,
        tracks=(Track.CATEGORICAL,),
        min_positions=10,
        size_weight=0.25,
    )


def test_a_profile_written_and_read_back_is_the_same(tmp_path: Path) -> None:
    p = profile_from_document(DOCUMENT)
    write_profile(p, tmp_path / "p.json")
    assert read_profile(tmp_path / "p.json") == p
    assert profile_to_document(read_profile(tmp_path / "p.json")) == profile_to_document(p)


def test_a_profile_document_reads_back_without_passing_through_json() -> None:
    p = profile_from_document(DOCUMENT)
    assert profile_from_document(profile_to_document(p)) == p


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("kind"), "profile.json: kind: required field missing"),
        (lambda d: d.update(kind="alien"), 'profile.json: kind: unknown applicant kind "alien"'),
        (
            lambda d: d["exams"][1].update(score="high"),
            'profile.json: exams[1].score: must be a whole number, got "high"',
        ),
        (
            lambda d: d["exams"][0].update(attempts=0),
            "profile.json: exams[0].attempts: must be at least 1, got 0",
        ),
        (
            lambda d: d.update(us_clinical_months=-3),
            "profile.json: us_clinical_months: must not be negative, got -3",
        ),
        (lambda d: d.update(ties=["ZZ"]), 'profile.json: ties[0]: unknown state "ZZ"'),
        (lambda d: d.update(visa_need="F-1"), 'profile.json: visa_need: unknown visa "F-1"'),
        (
            lambda d: d["priorities"][0].update(utility=0),
            "profile.json: priorities[0].utility: must be greater than 0, got 0",
        ),
        (
            lambda d: d["priorities"][1]["programs"][0].update(tracks=["fellowship"]),
            'profile.json: priorities[1].programs[0].tracks[0]: unknown track "fellowship"',
        ),
        (
            lambda d: d["criteria"]["preferences"].update(regions=["Atlantis"]),
            'profile.json: criteria.preferences.regions[0]: unknown region "Atlantis"',
        ),
        (
            lambda d: d["criteria"]["preferences"].update(max_positions=5),
            "profile.json: criteria.preferences.max_positions: must not be below min_positions (10), got 5",
        ),
        (lambda d: d.update(hobby="chess"), "profile.json: hobby: unknown field"),
        (
            lambda d: d["letters"].append({"id": "L1", "specialty": "Surgery"}),
            'profile.json: letters[2].id: document id "L1" appears twice',
        ),
        (
            lambda d: d.pop("visa_need"),
            "profile.json: criteria.must_haves.visas: lists visas but visa_need is not set",
        ),
    ],
)
def test_a_bad_profile_is_refused_naming_the_field(change, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(DOCUMENT)
    change(doc)
    with pytest.raises(FormatError) as err:
        profile_from_document(doc, "profile.json")
    assert str(err.value).splitlines()[0].startswith(message)


def test_a_file_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{kind: us_md")
    with pytest.raises(FormatError) as err:
        read_profile(bad)
    assert len(str(err.value).splitlines()) == 1
    assert "not valid JSON" in str(err.value)


def test_utility_is_the_first_matching_tier_plus_the_preferences_met() -> None:
    p = profile_from_document(DOCUMENT)
    # Combined, categorical, in the Northeast, with 12 positions: 10 + 1.5 + 0.5 + 0.25.
    assert (
        p.utility(program(specialty="Internal Medicine-Psychiatry", visa=(Visa.J1,), positions=12)) == 12.25
    )
    # Categorical internal medicine in Texas, small: tier 2 plus the track preference.
    assert p.utility(program(state="TX", visa=(Visa.H1B,), positions=4)) == 7.5
    # Preliminary medicine: the one-year tier, no preference met (not categorical, open 1 < 10).
    assert p.utility(program(track=Track.PRELIMINARY, state="TX", visa=(Visa.J1,))) == 4.0
    # Surgery falls to "others".
    assert p.utility(program(specialty="Surgery", state="TX", visa=(Visa.J1,))) == 1.5


def test_must_haves_rule_programs_out_whatever_their_tier() -> None:
    p = profile_from_document(DOCUMENT)
    assert p.utility(program(visa=())) == 0.0
    assert p.exclusion(program(visa=())) == "does not sponsor a visa it can train on"
    assert p.utility(program(state="AK", visa=(Visa.J1,))) == 0.0
    assert p.exclusion(program(state="AK", visa=(Visa.J1,))) == "in AK, a state it excludes"


def test_tracks_follow_what_a_partially_matched_applicant_holds_and_its_must_haves() -> None:
    holder = Profile(kind=ApplicantKind.US_MD, holds=Holding.ADVANCED)
    assert holder.eligible_tracks() == {Track.PRELIMINARY, Track.TRANSITIONAL}
    assert holder.utility(program(track=Track.CATEGORICAL)) == 0.0
    assert holder.utility(program(track=Track.TRANSITIONAL)) == 1.0
    picky = Profile(kind=ApplicantKind.US_MD, must_haves=MustHaves(tracks=(Track.CATEGORICAL,)))
    assert (
        picky.exclusion(program(track=Track.PRELIMINARY))
        == "a preliminary position, not a track it will take"
    )


def test_without_tiers_every_acceptable_program_is_worth_one() -> None:
    p = Profile(kind=ApplicantKind.US_DO)
    assert p.utility(program(specialty="Pathology")) == 1.0
    assert Profile(kind=ApplicantKind.US_DO, verified=False).utility(program()) == 0.0


def test_exclusions_name_the_reason_for_each_listed_program() -> None:
    p = Profile(
        kind=ApplicantKind.US_MD,
        priorities=(Tier("fm", 2.0, (TierEntry("Family Medicine"),)),),
    )
    listing = small_listing()
    reasons = exclusions(p, listing)
    for prog, why in zip(listing.programs, reasons, strict=True):
        assert (why is None) == same_specialty(prog.specialty or "", "Family Medicine")


def test_specialty_names_compare_loosely_and_combined_ones_split() -> None:
    assert same_specialty("internal medicine - psychiatry", MED_PSYCH)
    assert component_specialties(MED_PSYCH) == ("Internal Medicine", "Psychiatry")
    assert component_specialties("Internal Medicine – Primary") == ("Internal Medicine – Primary",)
    assert component_specialties("Surgery") == ("Surgery",)


def test_the_profile_of_a_market_applicant_copies_its_file_and_derives_its_priorities() -> None:
    market, result = small_week()
    by_code = market.program_index()
    a = next(x for x in market.applicants if x.rank_list and x.home_institution and x.visa_need is None)
    p = profile_of(a, market, result)
    assert (p.kind, p.exams, p.letters, p.ties, p.graduation_year) == (
        a.kind,
        a.exams,
        a.letters,
        a.ties,
        a.graduation_year,
    )
    first = by_code[a.rank_list[0].program]
    assert p.priorities[0].name == "own specialty"
    assert p.priorities[0].entries[0].specialty == first.specialty
    assert [t.utility for t in p.priorities] == [4.0, 3.0, 2.0, 1.0]
    assert p.known_institutions[0] == a.home_institution
    ranked = {by_code[c].institution for c in a.ranked_programs}
    assert set(p.known_institutions) == ranked | {a.home_institution}
    # Derived profiles are valid files.
    assert profile_from_document(json.loads(json.dumps(profile_to_document(p)))) == p


def test_a_partially_matched_applicant_holds_what_the_main_match_gave_it() -> None:
    market, result = small_week()
    tracks = {p.code: p.track for p in market.programs}
    partial = [m for m in result.matches if result.statuses[m.applicant].value == "partially_matched"]
    assert partial
    m = partial[0]
    a = market.applicant_index()[m.applicant]
    expected = Holding.ADVANCED if tracks[m.program] is Track.ADVANCED else Holding.PGY1
    assert profile_of(a, market, result).holds is expected
    assert profile_of(a, market).holds is None


def test_visa_need_is_a_must_have_of_a_derived_profile() -> None:
    market, result = small_week()
    a = next(x for x in market.applicants if x.visa_need is Visa.H1B)
    p = profile_of(a, market, result)
    assert p.accepted_visas == (Visa.H1B,)
    assert p.utility(program(visa=(Visa.J1,))) == 0.0


def test_exam_results_keep_failures() -> None:
    p = Profile(
        kind=ApplicantKind.US_IMG,
        exams=(ExamResult(Exam.COMLEX_LEVEL2_CE, True, 3, 655), ExamResult(Exam.USMLE_STEP1, False, 1)),
    )
    assert p.exam_failures == 3
    assert p.clinical_score == pytest.approx(243 + (655 - 570) * 14 / 85)
