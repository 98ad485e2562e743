"""matchweek.soap/1: a SOAP run as a replayable script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from matchweek.errors import FormatError
from matchweek.formats import read_soap_script, soap_script_from_json, soap_script_to_json, write_soap_script
from matchweek.model import (
    Application,
    Holding,
    Policy,
    Response,
    ScriptRound,
    SoapApplicant,
    SoapProgram,
    SoapScript,
    SoapStatus,
    Track,
    Visa,
)

FORMATS_EXAMPLE = {
    "format": "matchweek.soap/1",
    "policy": {"max_applications": 45, "rounds": 4},
    "programs": [
        {"code": "P1", "track": "categorical", "open": 2, "specialty": "Internal Medicine", "visa": ["J-1"]}
    ],
    "applicants": [
        {"id": "A1", "status": "unmatched"},
        {"id": "A2", "status": "partially_matched", "holds": "advanced"},
    ],
    "applications": [{"applicant": "A1", "program": "P1"}],
    "rounds": [
        {
            "applications": [{"applicant": "A2", "program": "P1"}],
            "preference_lists": {"P1": ["A2", "A1"]},
            "responses": {"A1": {"accept": "P1"}, "A2": {"reject": ["P1"]}},
        }
    ],
}


def script() -> SoapScript:
    return SoapScript(
        programs=(
            SoapProgram(
                "P1", Track.PRELIMINARY, 2, specialty="Surgery", visa=(Visa.J1,), state="OH", name="Prelim"
            ),
            SoapProgram("A1X", Track.ADVANCED, 1),
            SoapProgram("C1", Track.CATEGORICAL, 0),
        ),
        applicants=(
            SoapApplicant("A1", SoapStatus.UNMATCHED),
            SoapApplicant("A2", SoapStatus.PARTIALLY_MATCHED, Holding.PGY1),
        ),
        applications=(Application("A1", "P1"), Application("A1", "A1X")),
        rounds=(
            ScriptRound(
                applications=(Application("A2", "A1X"),),
                preference_lists={"P1": ("A1",), "A1X": ("A2", "A1")},
                responses={"A2": Response(reject=("A1X",)), "A1": Response(accept=("P1", "A1X"))},
            ),
            ScriptRound(),
        ),
        policy=Policy(max_applications=30, rounds=3),
        policy_overrides=frozenset({"max_applications", "rounds", "letters_per_application"}),
    )


def faults(document: Any) -> list[str]:
    with pytest.raises(FormatError) as caught:
        soap_script_from_json(orjson.dumps(document))
    return [str(f) for f in caught.value.faults]


def test_the_formats_example_reads_and_writes_back_the_same_document() -> None:
    read = soap_script_from_json(orjson.dumps(FORMATS_EXAMPLE))
    assert read.applicants[1] == SoapApplicant("A2", SoapStatus.PARTIALLY_MATCHED, Holding.ADVANCED)
    assert read.rounds[0].responses["A1"] == Response(accept=("P1",))
    assert read.policy == Policy()
    assert read.policy_overrides == {"max_applications", "rounds"}
    assert orjson.loads(soap_script_to_json(read)) == FORMATS_EXAMPLE


def test_script_round_trips(tmp_path: Path) -> None:
    text = soap_script_to_json(script())
    assert soap_script_from_json(text) == script()
    written = orjson.loads(text)
    # Only the values the script set, in the policy's own order, even one equal to its default.
    assert written["policy"] == {"max_applications": 30, "letters_per_application": 4, "rounds": 3}
    assert list(written["rounds"][0]["preference_lists"]) == ["A1X", "P1"]
    assert written["rounds"][0]["responses"] == {"A1": {"accept": ["P1", "A1X"]}, "A2": {"reject": ["A1X"]}}
    assert written["rounds"][1] == {}
    assert written["programs"][0] == {
        "code": "P1",
        "track": "preliminary",
        "open": 2,
        "specialty": "Surgery",
        "visa": ["J-1"],
        "state": "OH",
        "name": "Prelim",
    }
    write_soap_script(script(), tmp_path / "s.json")
    assert read_soap_script(tmp_path / "s.json") == script()


def test_a_script_without_policy_writes_none() -> None:
    bare = SoapScript(programs=(), applicants=())
    assert orjson.loads(soap_script_to_json(bare)) == {
        "format": "matchweek.soap/1",
        "programs": [],
        "applicants": [],
        "applications": [],
        "rounds": [],
    }


def test_policy_faults() -> None:
    document = dict(FORMATS_EXAMPLE, policy={"max_applications": "45", "colour": 1, "rounds": True})
    assert faults(document) == [
        "policy.colour: unknown policy value",
        'policy.max_applications: must be a whole number, got "45"',
        "policy.rounds: must be a whole number, got true",
    ]
    document = dict(FORMATS_EXAMPLE, policy={"rounds": 0, "time_zone": "Mars/Olympus"})
    assert faults(document) == [
        "policy.rounds: must be a whole number of at least 1, got 0",
        "policy.time_zone: unknown time zone 'Mars/Olympus'",
    ]
    document = dict(FORMATS_EXAMPLE, policy={"response_window_minutes": 200})
    assert faults(document) == [
        "policy.response_window_minutes: a round must close before the next one opens",
        "policy.soap_end: must not come before the last round closes (Thu 21:20)",
    ]


def test_structure_faults() -> None:
    document = {
        "format": "matchweek.soap/1",
        "programs": [
            {"code": "P1", "track": "categorical", "open": -1},
            {"code": "P1", "track": "fellowship", "open": 1, "visa": ["J-1", "J-1"]},
            {"track": "categorical"},
        ],
        "applicants": [
            {"id": "A1", "status": "unmatched", "holds": "pgy1"},
            {"id": "A2", "status": "partially_matched"},
            {"id": "A1", "status": "matched"},
        ],
    }
    assert faults(document) == [
        "programs[0].open: must not be negative, got -1",
        'programs[1].code: duplicate program code "P1"',
        'programs[1].track: unknown track "fellowship" (one of categorical, preliminary, transitional, '
        "advanced, "
        "reserved)",
        "programs[1].visa: a visa is listed twice",
        "programs[2].code: required field missing",
        "programs[2].open: required field missing",
        "applicants[0].holds: an unmatched applicant holds nothing",
        "applicants[1].holds: required for a partially matched applicant (advanced or pgy1)",
        'applicants[2].id: duplicate applicant id "A1"',
        'applicants[2].status: unknown status "matched" (one of unmatched, partially_matched)',
    ]


def test_references_between_sections() -> None:
    document = orjson.loads(orjson.dumps(FORMATS_EXAMPLE))
    document["applications"] = [
        {"applicant": "A1", "program": "P1"},
        {"applicant": "A9", "program": "P1"},
        {"applicant": "A1", "program": "P9"},
    ]
    document["rounds"] = [
        {
            "applications": [{"applicant": "A1", "program": "P1"}],
            "preference_lists": {"P9": ["A1"], "P1": ["A1", "A1", "A7"]},
            "responses": {
                "A8": {"accept": "P1"},
                "A1": {"accept": ["P1"], "reject": ["P1", "P1", "Q"]},
                "A2": {"accept": ["P1", "P1"], "maybe": []},
            },
            "notes": "",
        }
    ]
    assert faults(document) == [
        'applications[1].applicant: unknown applicant id "A9"',
        'applications[2].program: unknown program code "P9"',
        'rounds[0].applications[0]: applicant "A1" already applied to "P1" at applications[0]',
        "rounds[0].notes: unknown field",
        'rounds[0].preference_lists.P1[1]: applicant "A1" is listed twice',
        'rounds[0].preference_lists.P1[2]: unknown applicant id "A7"',
        'rounds[0].preference_lists.P9: unknown program code "P9"',
        "rounds[0].responses.A1.accept: accepts one code, or a list of two codes; got a list of 1",
        'rounds[0].responses.A1.reject[1]: rejects "P1" twice',
        'rounds[0].responses.A1.reject[2]: unknown program code "Q"',
        'rounds[0].responses.A2.accept: accepts "P1" twice',
        "rounds[0].responses.A2.maybe: unknown field",
        'rounds[0].responses.A8: unknown applicant id "A8"',
    ]


def test_accepting_and_rejecting_the_same_offer() -> None:
    document = orjson.loads(orjson.dumps(FORMATS_EXAMPLE))
    document["rounds"][0]["responses"] = {"A1": {"accept": "P1", "reject": ["P1"]}}
    assert faults(document) == ['rounds[0].responses.A1.reject[0]: both accepts and rejects "P1"']
