"""matchweek.result/1 and matchweek.soap-result/1: canonical writing, checked reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from matchweek.errors import FormatError
from matchweek.formats import (
    read_result,
    read_soap_result,
    result_from_json,
    result_to_json,
    soap_result_from_json,
    soap_result_to_json,
    write_result,
    write_soap_result,
)
from matchweek.model import (
    Assignment,
    Instability,
    MatchResult,
    MatchStatus,
    Offer,
    RoundOutcome,
    SoapMatch,
    SoapResult,
)


def faults(read: Any, document: Any) -> list[str]:
    with pytest.raises(FormatError) as caught:
        read(orjson.dumps(document))
    return [str(f) for f in caught.value.faults]


# -- matchweek.result/1 ------------------------------------------------------------------


def match_result() -> MatchResult:
    return MatchResult(
        matches=(
            Assignment("A1", "ADV"),
            Assignment("A1", "P1"),
            Assignment("A2", "C1"),
            Assignment("A4", "P1"),
        ),
        statuses={
            "A1": MatchStatus.MATCHED,
            "A2": MatchStatus.MATCHED,
            "A3": MatchStatus.UNMATCHED,
            "A4": MatchStatus.PARTIALLY_MATCHED,
        },
        unfilled={"C1": 1, "ADV": 2},
        instabilities=(
            Instability(programs=("C1",), applicant="A3"),
            Instability(programs=(None, "P1"), couple=("A2", "A3")),
        ),
    )


def test_result_round_trips_with_canonical_text(tmp_path: Path) -> None:
    result = match_result()
    text = result_to_json(result)
    assert result_from_json(text) == result
    assert text.decode() == (
        "{\n"
        '  "format": "matchweek.result/1",\n'
        '  "matches": [\n'
        '    {\n      "applicant": "A1",\n      "program": "ADV"\n    },\n'
        '    {\n      "applicant": "A1",\n      "program": "P1"\n    },\n'
        '    {\n      "applicant": "A2",\n      "program": "C1"\n    },\n'
        '    {\n      "applicant": "A4",\n      "program": "P1"\n    }\n'
        "  ],\n"
        '  "applicants": {\n'
        '    "A1": "matched",\n    "A2": "matched",\n    "A3": "unmatched",\n    "A4": "partially_matched"\n'
        "  },\n"
        '  "unfilled": {\n    "ADV": 2,\n    "C1": 1\n  },\n'
        '  "instabilities": [\n'
        '    {\n      "applicant": "A3",\n      "programs": [\n        "C1"\n      ]\n    },\n'
        '    {\n      "couple": [\n        "A2",\n        "A3"\n      ],\n'
        '      "programs": [\n        null,\n        "P1"\n      ]\n    }\n'
        "  ]\n"
        "}\n"
    )
    write_result(result, tmp_path / "r.json")
    assert read_result(tmp_path / "r.json") == result


def test_result_matches_in_any_order_read_sorted() -> None:
    document = orjson.loads(result_to_json(match_result()))
    document["matches"].reverse()
    read = result_from_json(orjson.dumps(document))
    assert read == match_result()
    assert result_to_json(read) == result_to_json(match_result())


def test_result_structure_faults() -> None:
    document = {
        "format": "matchweek.result/1",
        "matches": [{"applicant": "A1"}, {"applicant": "A1", "program": 5}, "x"],
        "applicants": {"A1": "won"},
        "unfilled": {"C1": -1, "C2": "one"},
        "instabilities": [
            {"applicant": "A1", "programs": ["C1", "C2"]},
            {"couple": ["A1"], "programs": ["C1", None]},
            {"couple": ["A1", "A2"], "programs": [None, None]},
            {"applicant": "A1", "couple": ["A1", "A2"], "programs": []},
        ],
        "note": "x",
    }
    assert faults(result_from_json, document) == [
        "matches[0].program: required field missing",
        "matches[1].program: must be a string, got 5",
        'matches[2]: must be an object, got "x"',
        'applicants.A1: unknown status "won" (one of matched, partially_matched, unmatched)',
        "unfilled.C1: must not be negative, got -1",
        'unfilled.C2: must be a whole number, got "one"',
        "instabilities[0].programs: an applicant's instability names exactly one program, got 2",
        "instabilities[1].couple: a couple has exactly two members, got 1",
        "instabilities[2].programs: a pair must name a program for at least one partner",
        "instabilities[3]: names both an applicant and a couple; an instability is one or the other",
        "note: unknown field",
    ]


def test_result_sections_must_agree() -> None:
    document = {
        "format": "matchweek.result/1",
        "matches": [
            {"applicant": "A1", "program": "C1"},
            {"applicant": "A1", "program": "C1"},
            {"applicant": "A2", "program": "C1"},
            {"applicant": "A9", "program": "C1"},
        ],
        "applicants": {"A1": "matched", "A2": "unmatched", "A3": "partially_matched"},
        "unfilled": {},
        "instabilities": [{"applicant": "A8", "programs": ["C1"]}],
    }
    assert faults(result_from_json, document) == [
        'matches[1]: applicant "A1" is matched to "C1" twice',
        'matches[2].applicant: applicant "A2" is unmatched but holds a position',
        'matches[3].applicant: applicant "A9" has no status in applicants',
        "applicants.A3: status is partially_matched, but no match row names this applicant",
        'instabilities[0].applicant: applicant "A8" has no status in applicants',
    ]


def test_result_needs_its_sections_and_format() -> None:
    assert faults(result_from_json, {"format": "matchweek.market/1"}) == [
        'format: expected "matchweek.result/1", got "matchweek.market/1"',
        "matches: required field missing",
        "applicants: required field missing",
        "unfilled: required field missing",
    ]


# -- matchweek.soap-result/1 -------------------------------------------------------------


def soap_result() -> SoapResult:
    return SoapResult(
        rounds=(
            RoundOutcome(
                round=1,
                offers=(Offer("P1", "A1"), Offer("P1", "A2"), Offer("P2", "A1")),
                accepted=(Offer("P1", "A1"),),
                rejected=(Offer("P1", "A2"), Offer("P2", "A1")),
            ),
            RoundOutcome(round=2, offers=(Offer("P2", "A3"),), expired=(Offer("P2", "A3"),)),
        ),
        matches=(SoapMatch("A1", "P1", 1),),
        unfilled={"P2": 1, "P1": 0},
    )


def test_soap_result_round_trips(tmp_path: Path) -> None:
    result = soap_result()
    text = soap_result_to_json(result)
    assert soap_result_from_json(text) == result
    written = orjson.loads(text)
    assert list(written) == ["format", "rounds", "matches", "unfilled"]
    assert written["rounds"][1] == {
        "round": 2,
        "offers": [{"program": "P2", "applicant": "A3"}],
        "accepted": [],
        "rejected": [],
        "expired": [{"program": "P2", "applicant": "A3"}],
    }
    assert list(written["unfilled"]) == ["P1", "P2"]
    write_soap_result(result, tmp_path / "s.json")
    assert read_soap_result(tmp_path / "s.json") == result


def test_soap_result_lists_read_in_any_order_are_sorted() -> None:
    document = orjson.loads(soap_result_to_json(soap_result()))
    document["rounds"].reverse()
    document["rounds"][1]["offers"].reverse()
    document["rounds"][1]["rejected"].reverse()
    read = soap_result_from_json(orjson.dumps(document))
    assert read == soap_result()
    assert soap_result_to_json(read) == soap_result_to_json(soap_result())


def test_soap_result_faults() -> None:
    document = {
        "format": "matchweek.soap-result/1",
        "rounds": [
            {
                "round": 1,
                "offers": [{"program": "P1", "applicant": "A1"}, {"program": "P1", "applicant": "A1"}],
                "accepted": [{"program": "P1", "applicant": "A1"}],
                "rejected": [{"program": "P1", "applicant": "A1"}, {"program": "P3", "applicant": "A1"}],
            },
            {"round": 1},
            {"round": 0, "offers": [{"program": "P1"}]},
        ],
        "matches": [{"applicant": "A1", "program": "P1", "round": 2}],
        "unfilled": {"P1": -2},
    }
    assert faults(soap_result_from_json, document) == [
        'rounds[0].offers[1]: "P1" to "A1" is listed twice',
        'rounds[0].rejected[0]: "P1" to "A1" is also accepted',
        'rounds[0].rejected[1]: "P3" to "A1" is not an offer of this round',
        "rounds[1].round: round 1 is listed twice",
        "rounds[2].offers[0].applicant: required field missing",
        "rounds[2].round: rounds are numbered from 1, got 0",
        "unfilled.P1: must not be negative, got -2",
    ]


def test_soap_result_matches_are_the_accepted_offers() -> None:
    document = orjson.loads(soap_result_to_json(soap_result()))
    document["matches"] = [{"applicant": "A2", "program": "P1", "round": 1}]
    assert faults(soap_result_from_json, document) == [
        "rounds[0].accepted[0]: an accepted offer has no row in matches",
        'matches[0]: no offer from "P1" to "A2" was accepted in round 1',
    ]
