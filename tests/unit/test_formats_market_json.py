"""matchweek.market/1 as JSON: canonical writing, strict reading, every fault named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from matchweek.errors import Fault, FormatError
from matchweek.formats import (
    market_faults,
    market_from_json,
    market_to_json,
    read_market,
    write_market,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
    Document,
    Exam,
    ExamResult,
    Market,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)

DATA = Path(__file__).parent.parent / "data" / "formats"


def full_market() -> Market:
    """A small market using every field of the format."""
    return Market(
        programs=(
            Program(
                code="C1",
                track=Track.CATEGORICAL,
                positions=3,
                rank_list=("A1", "A2"),
                name="Riverside Internal Medicine",
                institution="Riverside",
                specialty="Internal Medicine",
                state="OH",
                visa=(Visa.J1, Visa.H1B),
                reverts_to="P1",
                soap=True,
                img_share=0.25,
            ),
            Program(code="ADV", track=Track.ADVANCED, positions=2, rank_list=("A1",), soap=False),
            Program(code="P1", track=Track.PRELIMINARY, positions=1, rank_list=("A1", "A4")),
        ),
        applicants=(
            Applicant(
                id="A1",
                kind=ApplicantKind.NON_US_IMG,
                rank_list=(RankEntry("ADV", "prelims"), RankEntry("C1")),
                supplemental_lists={"prelims": ("P1",)},
                graduation_year=2022,
                visa_need=Visa.J1,
                verified=False,
                can_start_july_1=False,
                us_clinical_months=6,
                exams=(
                    ExamResult(Exam.USMLE_STEP1, passed=True),
                    ExamResult(Exam.USMLE_STEP2_CK, passed=True, attempts=2, score=231),
                ),
                personal_statements=(Document("ps-im", "Internal Medicine"),),
                letters=(Document("l1", "Internal Medicine", author="Dr. Osler"),),
                ties=("OH", "PA"),
                red_flags=(RedFlag.REMEDIATION,),
                home_institution="University of Somewhere",
            ),
            Applicant(id="A2", kind=ApplicantKind.US_MD, rank_list=(RankEntry("C1"),)),
            Applicant(id="A3"),
            Applicant(id="A4"),
        ),
        couples=(Couple(members=("A3", "A4"), rank_list=(("C1", "P1"), (None, "P1"))),),
    )


def doc(**sections: Any) -> dict[str, Any]:
    """A valid small market document, with ``sections`` replaced."""
    base: dict[str, Any] = {
        "format": "matchweek.market/1",
        "programs": [
            {"code": "C1", "track": "categorical", "positions": 2, "rank_list": ["A1", "A2"]},
            {"code": "ADV", "track": "advanced", "positions": 1, "rank_list": ["A1"]},
            {"code": "P1", "track": "preliminary", "positions": 1, "rank_list": []},
        ],
        "applicants": [
            {
                "id": "A1",
                "rank_list": ["C1", {"program": "ADV", "supplemental": "s"}],
                "supplemental_lists": {"s": ["P1"]},
            },
            {"id": "A2", "rank_list": ["C1"]},
            {"id": "A3", "rank_list": []},
            {"id": "A4", "rank_list": []},
        ],
        "couples": [{"members": ["A3", "A4"], "rank_list": [["C1", "P1"]]}],
    }
    base.update(sections)
    return base


def faults_of(document: Any) -> list[str]:
    """The fault lines of reading ``document`` (which must be rejected)."""
    data = document if isinstance(document, bytes) else orjson.dumps(document)
    with pytest.raises(FormatError) as caught:
        market_from_json(data)
    return [str(f) for f in caught.value.faults]


# -- round trips and canonical writing -------------------------------------------------


def test_full_market_round_trips_and_writes_the_same_bytes_again() -> None:
    market = full_market()
    assert market_faults(market) == []
    text = market_to_json(market)
    back = market_from_json(text)
    assert back == market
    assert market_to_json(back) == text


def test_canonical_text_is_fixed_key_order_two_space_indent_and_trailing_newline() -> None:
    market = Market(
        programs=(
            Program(code="C1", track=Track.CATEGORICAL, positions=1, rank_list=("A1",), name="N", soap=True),
        ),
        applicants=(
            Applicant(id="A1", kind=ApplicantKind.US_MD, rank_list=(RankEntry("C1"),), verified=False),
        ),
    )
    assert market_to_json(market).decode() == (
        "{\n"
        '  "format": "matchweek.market/1",\n'
        '  "programs": [\n'
        "    {\n"
        '      "code": "C1",\n'
        '      "name": "N",\n'
        '      "track": "categorical",\n'
        '      "positions": 1,\n'
        '      "rank_list": [\n'
        '        "A1"\n'
        "      ],\n"
        '      "soap": true\n'
        "    }\n"
        "  ],\n"
        '  "applicants": [\n'
        "    {\n"
        '      "id": "A1",\n'
        '      "kind": "us_md",\n'
        '      "rank_list": [\n'
        '        "C1"\n'
        "      ],\n"
        '      "verified": false\n'
        "    }\n"
        "  ],\n"
        '  "couples": []\n'
        "}\n"
    )


def test_defaults_are_left_out_and_key_order_of_input_does_not_matter() -> None:
    scrambled = {
        "couples": [],
        "applicants": [
            {
                "rank_list": [],
                "verified": True,
                "visa_need": None,
                "exams": [{"passed": True, "attempts": 1, "exam": "usmle_step1"}],
                "id": "A1",
            }
        ],
        "programs": [{"visa": [], "positions": 0, "track": "reserved", "code": "R1", "soap": None}],
        "format": "matchweek.market/1",
    }
    text = market_to_json(market_from_json(orjson.dumps(scrambled)))
    written = orjson.loads(text)
    assert list(written) == ["format", "programs", "applicants", "couples"]
    assert written["programs"] == [{"code": "R1", "track": "reserved", "positions": 0, "rank_list": []}]
    assert written["applicants"] == [
        {"id": "A1", "rank_list": [], "exams": [{"exam": "usmle_step1", "passed": True}]}
    ]


def test_supplemental_lists_are_written_sorted_by_name() -> None:
    market = Market(
        programs=(Program("P", Track.PRELIMINARY, 1), Program("T", Track.TRANSITIONAL, 1)),
        applicants=(Applicant("A", supplemental_lists={"zeta": ("T",), "alpha": ("P",)}),),
    )
    written = orjson.loads(market_to_json(market))
    assert list(written["applicants"][0]["supplemental_lists"]) == ["alpha", "zeta"]


def test_the_formats_example_reads(tmp_path: Path) -> None:
    market = read_market(DATA / "market_example.json")
    assert market.applicants[0].rank_list[1] == RankEntry("5678420A0", "prelims")
    assert market.couples[0].rank_list == (("1234140C0", "1234320C0"), ("1234140C0", None))
    write_market(market, tmp_path / "out.json")
    assert read_market(tmp_path / "out.json") == market


def test_an_integer_img_share_reads_as_a_number() -> None:
    programs = [{"code": "C1", "track": "categorical", "positions": 1, "img_share": 1}]
    market = market_from_json(orjson.dumps(doc(programs=programs, applicants=[], couples=[])))
    assert market.programs[0].img_share == 1.0


# -- the reading of files --------------------------------------------------------------


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_market(tmp_path / "nope.json")
    assert str(caught.value) == f"{tmp_path / 'nope.json'}: no such file"


def test_a_folder_is_not_a_json_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        read_market(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a file"


def test_non_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b"programs: []\n")
    with pytest.raises(FormatError) as caught:
        read_market(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid JSON: ")
    assert "\n" not in message


def test_json_that_is_not_an_object() -> None:
    assert faults_of(b"[1, 2]") == ["must be an object, got a list"]


def test_faults_are_prefixed_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(orjson.dumps(doc(format="matchweek.result/1")))
    with pytest.raises(FormatError) as caught:
        read_market(path)
    assert str(caught.value) == f'{path}: format: expected "matchweek.market/1", got "matchweek.result/1"'


# -- structure -------------------------------------------------------------------------


def test_four_different_faults_are_each_named_on_one_line() -> None:
    document = doc()
    document["programs"][0]["positions"] = -2
    document["programs"][2]["colour"] = "red"
    document["applicants"][1]["rank_list"] = ["C1", "9999140C0"]
    document["applicants"][3]["id"] = "A1"
    document["couples"] = []
    assert faults_of(document) == [
        "programs[0].positions: must not be negative, got -2",
        "programs[2].colour: unknown field",
        'applicants[1].rank_list[1]: unknown program code "9999140C0"',
        'applicants[3].id: duplicate applicant id "A1"',
    ]


def test_missing_or_wrong_format_and_sections() -> None:
    assert faults_of({"programs": [], "applicants": []}) == [
        'format: required field missing (expected "matchweek.market/1")'
    ]
    assert faults_of({"format": "matchweek.market/1", "programs": {}, "extra": 1}) == [
        "programs: must be a list, got an object",
        "applicants: required field missing",
        "extra: unknown field",
    ]


def test_wrong_types_and_missing_fields_in_programs() -> None:
    programs = [
        {"code": 7, "track": "categorical", "positions": 1},
        {"code": "X", "track": "fellowship", "positions": "two"},
        {"track": "advanced", "name": "", "visa": ["J-1", "F-1"], "soap": "yes", "img_share": "half"},
        {"code": "Y", "track": "categorical", "positions": 1.5, "rank_list": "A1"},
        "Z",
    ]
    assert faults_of(doc(programs=programs, applicants=[], couples=[])) == [
        "programs[0].code: must be a string, got 7",
        'programs[1].positions: must be a whole number, got "two"',
        'programs[1].track: unknown track "fellowship" (one of categorical, preliminary, transitional, '
        "advanced, reserved)",
        "programs[2].code: required field missing",
        'programs[2].img_share: must be a number, got "half"',
        "programs[2].name: must not be empty",
        "programs[2].positions: required field missing",
        'programs[2].soap: must be true or false, got "yes"',
        'programs[2].visa[1]: unknown visa "F-1" (one of J-1, H-1B)',
        "programs[3].positions: must be a whole number, got 1.5",
        'programs[3].rank_list: must be a list, got "A1"',
        'programs[4]: must be an object, got "Z"',
    ]


def test_wrong_types_in_applicant_profiles() -> None:
    applicants = [
        {
            "id": "A1",
            "kind": "resident",
            "graduation_year": "2020",
            "visa_need": "F-1",
            "verified": "no",
            "can_start_july_1": None,
            "us_clinical_months": 2.5,
            "exams": [
                {"exam": "mcat", "passed": True},
                {"passed": True, "attempts": "1", "score": 1.5, "note": 1},
            ],
            "personal_statements": [{"id": "d1"}],
            "letters": [{"id": "d2", "specialty": "IM", "author": 3}],
            "ties": ["OH", ""],
            "red_flags": ["late"],
            "home_institution": 5,
        }
    ]
    assert faults_of(doc(applicants=applicants, couples=[], programs=[])) == [
        "applicants[0].can_start_july_1: must be true or false, got null",
        'applicants[0].exams[0].exam: unknown exam "mcat" (one of usmle_step1, usmle_step2_ck, usmle_step3, '
        "comlex_level1, comlex_level2_ce)",
        'applicants[0].exams[1].attempts: must be a whole number, got "1"',
        "applicants[0].exams[1].exam: required field missing",
        "applicants[0].exams[1].note: unknown field",
        "applicants[0].exams[1].score: must be a whole number, got 1.5",
        'applicants[0].graduation_year: must be a whole number, got "2020"',
        "applicants[0].home_institution: must be a string, got 5",
        'applicants[0].kind: unknown applicant kind "resident" (one of us_md, us_do, us_img, non_us_img, '
        "prior_grad)",
        "applicants[0].letters[0].author: must be a string, got 3",
        "applicants[0].personal_statements[0].specialty: required field missing",
        'applicants[0].red_flags[0]: unknown red flag "late" (one of professionalism, leave_of_absence, '
        "remediation, prior_dismissal)",
        "applicants[0].ties[1]: must not be empty",
        "applicants[0].us_clinical_months: must be a whole number, got 2.5",
        'applicants[0].verified: must be true or false, got "no"',
        'applicants[0].visa_need: unknown visa "F-1" (one of J-1, H-1B)',
    ]


def test_malformed_rank_entries_and_couples() -> None:
    document = doc()
    document["applicants"][0]["rank_list"] = ["C1", 4, {"supplemental": "s"}, {"program": "ADV", "list": "s"}]
    document["couples"] = [
        {"members": ["A3"], "rank_list": [["C1"], "C1", ["C1", 2]]},
        {"rank_list": []},
    ]
    assert faults_of(document) == [
        "applicants[0].rank_list[1]: must be a program code or an object naming a program, got 4",
        "applicants[0].rank_list[2].program: required field missing",
        "applicants[0].rank_list[3].list: unknown field",
        "couples[0].members: a couple has exactly two members, got 1",
        "couples[0].rank_list[0]: must be a pair [program, program] (null for no match), got a list",
        'couples[0].rank_list[1]: must be a pair [program, program] (null for no match), got "C1"',
        "couples[0].rank_list[2][1]: must be a string, got 2",
        "couples[1].members: required field missing",
    ]


# -- market rules ----------------------------------------------------------------------


def test_program_rules() -> None:
    programs = [
        {
            "code": "C1",
            "track": "categorical",
            "positions": 1,
            "rank_list": ["A1", "A9", "A1"],
            "reverts_to": "C1",
        },
        {"code": "C1", "track": "categorical", "positions": -1, "img_share": 1.5, "visa": ["J-1", "J-1"]},
        {"code": "X", "track": "categorical", "positions": 1, "reverts_to": "Y"},
        {"code": "Y", "track": "categorical", "positions": 1, "reverts_to": "Z"},
        {"code": "Z", "track": "categorical", "positions": 1, "reverts_to": "X"},
        {"code": "W", "track": "categorical", "positions": 1, "reverts_to": "NOPE"},
    ]
    applicants = [{"id": "A1"}]
    assert faults_of(doc(programs=programs, applicants=applicants, couples=[])) == [
        'programs[0].rank_list[1]: unknown applicant id "A9"',
        'programs[0].rank_list[2]: applicant "A1" is ranked twice',
        "programs[0].reverts_to: a program cannot revert to itself",
        'programs[1].code: duplicate program code "C1"',
        "programs[1].img_share: must be between 0 and 1, got 1.5",
        "programs[1].positions: must not be negative, got -1",
        'programs[1].visa[1]: "J-1" is listed twice',
        'programs[2].reverts_to: reversion cycle "X" -> "Y" -> "Z" -> "X"',
        'programs[5].reverts_to: unknown program code "NOPE"',
    ]


def test_reversion_chains_without_cycles_are_fine() -> None:
    programs = [
        {"code": "A", "track": "categorical", "positions": 1, "reverts_to": "B"},
        {"code": "B", "track": "categorical", "positions": 1, "reverts_to": "C"},
        {"code": "C", "track": "preliminary", "positions": 1},
        {"code": "D", "track": "categorical", "positions": 1, "reverts_to": "C"},
    ]
    market = market_from_json(orjson.dumps(doc(programs=programs, applicants=[], couples=[])))
    assert [p.reverts_to for p in market.programs] == ["B", "C", None, "C"]


def test_applicant_rank_list_and_supplemental_rules() -> None:
    applicants = [
        {
            "id": "A1",
            "rank_list": [
                "C1",
                {"program": "C1", "supplemental": "s"},
                {"program": "ADV", "supplemental": "missing"},
                "GONE",
            ],
            "supplemental_lists": {"s": ["P1", "ADV", "NOPE", "P1"], "empty": []},
        },
        {"id": "A2", "rank_list": ["P1", "P1"]},
    ]
    assert faults_of(doc(applicants=applicants, couples=[])) == [
        'applicants[0].rank_list[1]: program "C1" is ranked twice',
        'applicants[0].rank_list[1].supplemental: program "C1" is categorical, not advanced; '
        "only an advanced program takes a supplemental list",
        'applicants[0].rank_list[2].supplemental: no supplemental list named "missing"',
        'applicants[0].rank_list[3]: unknown program code "GONE"',
        "applicants[0].supplemental_lists.empty: a supplemental list must name at least one program",
        'applicants[0].supplemental_lists.s[1]: program "ADV" is advanced; a supplemental list holds PGY-1 '
        "programs only",
        'applicants[0].supplemental_lists.s[2]: unknown program code "NOPE"',
        'applicants[0].supplemental_lists.s[3]: program "P1" is listed twice',
        'applicants[1].rank_list[1]: program "P1" is ranked twice',
    ]


def test_applicant_profile_rules() -> None:
    applicants = [
        {
            "id": "A1",
            "us_clinical_months": -1,
            "exams": [
                {"exam": "usmle_step1", "passed": True, "attempts": 0},
                {"exam": "usmle_step1", "passed": False},
            ],
            "personal_statements": [{"id": "d", "specialty": "IM"}],
            "letters": [{"id": "e", "specialty": "IM"}, {"id": "d", "specialty": "IM"}],
            "ties": ["OH", "OH"],
            "red_flags": ["remediation", "remediation"],
        }
    ]
    assert faults_of(doc(applicants=applicants, couples=[], programs=[])) == [
        "applicants[0].exams[0].attempts: must be at least 1, got 0",
        'applicants[0].exams[1].exam: "usmle_step1" is listed twice',
        'applicants[0].letters[1].id: document id "d" is used twice by this applicant',
        'applicants[0].red_flags[1]: "remediation" is listed twice',
        'applicants[0].ties[1]: "OH" is listed twice',
        "applicants[0].us_clinical_months: must not be negative, got -1",
    ]


def test_couple_rules() -> None:
    document = doc()
    document["applicants"].append({"id": "A5", "rank_list": ["C1"]})
    document["couples"] = [
        {"members": ["A3", "A3"], "rank_list": [[None, None], ["C1", "NOPE"], ["C1", "P1"], ["C1", "P1"]]},
        {"members": ["A4", "A9"]},
        {"members": ["A4", "A5"]},
    ]
    assert faults_of(document) == [
        'applicants[4].rank_list: applicant "A5" ranks with a couple, so its own rank list must be empty',
        'couples[0].members: both members are "A3"',
        "couples[0].rank_list[0]: a pair must name a program for at least one partner",
        'couples[0].rank_list[1][1]: unknown program code "NOPE"',
        "couples[0].rank_list[3]: this pair is ranked twice",
        'couples[1].members[1]: unknown applicant id "A9"',
        'couples[2].members[0]: applicant "A4" is already in another couple',
    ]


def test_a_bad_reference_is_reported_once_not_again_where_it_is_used() -> None:
    document = doc()
    document["programs"][1]["track"] = "advancd"  # A1 links a supplemental list to this program
    assert faults_of(document) == [
        'programs[1].track: unknown track "advancd" (one of categorical, preliminary, transitional, '
        "advanced, reserved)"
    ]


def test_market_faults_checks_an_in_memory_market() -> None:
    market = Market(
        programs=(Program("C1", Track.CATEGORICAL, -1, ("A1", "ZZ")),),
        applicants=(Applicant("A1", rank_list=(RankEntry("C1"), RankEntry("C2"))), Applicant("A1")),
    )
    assert market_faults(market) == [
        Fault("programs[0].positions", "must not be negative, got -1"),
        Fault("programs[0].rank_list[1]", 'unknown applicant id "ZZ"'),
        Fault("applicants[0].rank_list[1]", 'unknown program code "C2"'),
        Fault("applicants[1].id", 'duplicate applicant id "A1"'),
    ]


# -- reporting -------------------------------------------------------------------------


def test_twenty_faults_are_shown_then_a_count() -> None:
    applicants = [{"id": f"A{i}", "rank_list": ["NOPE"]} for i in range(25)]
    with pytest.raises(FormatError) as caught:
        market_from_json(orjson.dumps(doc(applicants=applicants, couples=[])), "m.json")
    error = caught.value
    assert len(error.faults) == 25
    lines = str(error).split("\n")
    assert len(lines) == 21
    assert lines[0] == 'm.json: applicants[0].rank_list[0]: unknown program code "NOPE"'
    assert lines[19] == 'm.json: applicants[19].rank_list[0]: unknown program code "NOPE"'
    assert lines[20] == "m.json: ... and 5 more faults"


def test_nothing_is_half_loaded() -> None:
    """An invalid file gives an exception and no market, however much of it was fine."""
    document = doc()
    document["applicants"][-1]["kind"] = "alien"
    result: Market | None = None
    with pytest.raises(FormatError):
        result = market_from_json(orjson.dumps(document))
    assert result is None


def test_reading_does_not_leave_the_garbage_collector_off() -> None:
    import gc

    assert gc.isenabled()
    market_from_json(orjson.dumps(doc()))
    with pytest.raises(FormatError):
        market_from_json(b"{")
    assert gc.isenabled()
