"""SOAP events as plain dicts, replay of a log, and the SOAP universe built from a Main Match."""

from __future__ import annotations

import json

import pytest

from matchweek.errors import FormatError
from matchweek.model import (
    Applicant,
    Assignment,
    Document,
    Holding,
    Market,
    MatchResult,
    MatchStatus,
    Policy,
    Program,
    SoapProgram,
    SoapStatus,
    Track,
    Visa,
    WeekTime,
)
from matchweek.soap import (
    EVENT_TYPES,
    Accept,
    CertifyPreferenceList,
    CloseRound,
    OfferRejected,
    OpenRound,
    PublishUnfilledList,
    ReleaseStatus,
    RuleViolation,
    SoapEngine,
    SoapEntrant,
    SoapStarted,
    StartSoap,
    SubmitApplication,
    apply,
    event_from_dict,
    event_to_dict,
    replay,
    soap_universe,
    visible_programs,
)
from matchweek.soap.state import SoapState

T = WeekTime.parse


def small_run() -> SoapEngine:
    e = SoapEngine()
    programs = (
        SoapProgram(
            "C1", Track.CATEGORICAL, 1, specialty="Family Medicine", visa=(Visa.J1,), state="OH", name="X"
        ),
        SoapProgram("P1", Track.PRELIMINARY, 1),
    )
    applicants = (
        SoapEntrant("A1", SoapStatus.UNMATCHED, personal_statements=("S1",), letters=("L1",)),
        SoapEntrant("A2", SoapStatus.PARTIALLY_MATCHED, Holding.ADVANCED),
    )
    for c in (
        StartSoap(T("Mon 10:00"), programs, applicants, Policy(rounds=2)),
        ReleaseStatus(T("Mon 10:00")),
        PublishUnfilledList(T("Mon 11:00")),
        SubmitApplication(T("Mon 11:00"), "A1", "C1", "S1", ("L1",)),
        SubmitApplication(T("Mon 11:00"), "A1", "P1"),
        SubmitApplication(T("Mon 11:00"), "A2", "P1"),
        CertifyPreferenceList(T("Tue 08:00"), "C1", ("A1",)),
        CertifyPreferenceList(T("Tue 08:00"), "P1", ("A1", "A2")),
        OpenRound(T("Thu 09:00"), 1),
        Accept(T("Thu 09:30"), "A1", ("C1",)),
        CloseRound(T("Thu 11:00"), 1),
        OpenRound(T("Thu 12:00"), 2),
    ):
        e.execute(c)
    return e


def test_every_event_type_survives_json() -> None:
    e = small_run()
    seen = {type(x) for x in e.events}
    as_json = json.dumps([event_to_dict(x) for x in e.events])
    back = [event_from_dict(d) for d in json.loads(as_json)]
    assert back == e.events
    # The run above produced all but a few kinds; those are checked on their own.
    missing = set(EVENT_TYPES.values()) - seen
    assert {cls.__name__ for cls in missing} == {"ApplicantVerified", "OfferExpired", "SoapEnded"}


def test_event_dicts_are_flat_json_values_with_a_type() -> None:
    d = event_to_dict(OfferRejected(T("Thu 09:30"), 1, "P1", "A1", automatic=True))
    assert d == {
        "type": "offer_rejected",
        "at": 3 * 1440 + 570,
        "round": 1,
        "program": "P1",
        "applicant": "A1",
        "automatic": True,
    }


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"type": "offer_made", "round": 1}, "event.type"),
        ({"type": "offer_expired", "round": 1, "program": "P1"}, "event[offer_expired].applicant"),
        (
            {"type": "offer_expired", "round": "1", "program": "P1", "applicant": "A"},
            "event[offer_expired].round",
        ),
        (
            {"type": "offer_expired", "round": 1, "program": "P1", "applicant": "A", "x": 1},
            "event[offer_expired].x",
        ),
        ({"type": "soap_ended", "at": True}, "event[soap_ended].at"),
    ],
)
def test_malformed_event_dicts_are_refused_naming_the_field(data: dict, where: str) -> None:
    with pytest.raises(FormatError) as caught:
        event_from_dict(data)
    assert str(caught.value).startswith(where + ":")


def test_started_event_keeps_policy_programs_and_entrants() -> None:
    e = small_run()
    started = e.events[0]
    assert isinstance(started, SoapStarted)
    back = event_from_dict(json.loads(json.dumps(event_to_dict(started))))
    assert back == started
    assert back.policy.rounds == 2  # type: ignore[union-attr]


def test_replay_reproduces_the_live_state_at_every_step() -> None:
    e = small_run()
    state = SoapState()
    for i, event in enumerate(e.events):
        apply(state, event)
        assert replay(e.events[: i + 1]) == state
    assert state == e.state
    assert replay([]) == SoapState()


# --- the SOAP universe after a Main Match ---------------------------------------------------------


def test_universe_takes_opted_in_programs_with_unfilled_positions_and_eligible_applicants() -> None:
    market = Market(
        programs=(
            Program("C1", Track.CATEGORICAL, 3, soap=True, specialty="IM", state="OH", visa=(Visa.H1B,)),
            Program("C2", Track.CATEGORICAL, 2, soap=False),
            Program("C3", Track.CATEGORICAL, 1),
            Program("P1", Track.PRELIMINARY, 2),
            Program("V1", Track.ADVANCED, 1),
        ),
        applicants=(
            Applicant("M1"),
            Applicant(
                "U1",
                personal_statements=(Document("S1", "IM"),),
                letters=(Document("L1", "IM"), Document("L2", "IM")),
            ),
            Applicant("U2", verified=False),
            Applicant("U3", can_start_july_1=False),
            Applicant("PA"),
            Applicant("PP"),
        ),
    )
    result = MatchResult(
        matches=(
            Assignment("M1", "C3"),
            Assignment("PA", "V1"),
            Assignment("PP", "P1"),
        ),
        statuses={
            "M1": MatchStatus.MATCHED,
            "U1": MatchStatus.UNMATCHED,
            "U2": MatchStatus.UNMATCHED,
            "U3": MatchStatus.UNMATCHED,
            "PA": MatchStatus.PARTIALLY_MATCHED,
            "PP": MatchStatus.PARTIALLY_MATCHED,
        },
        unfilled={"C1": 2, "C2": 2, "P1": 1},
    )
    policy = Policy(rounds=3)
    start = soap_universe(market, result, policy)
    assert start.at == T(policy.status_release)
    assert start.policy == policy
    assert start.programs == (
        SoapProgram("C1", Track.CATEGORICAL, 2, specialty="IM", visa=(Visa.H1B,), state="OH"),
        SoapProgram("P1", Track.PRELIMINARY, 1),
    )
    assert start.applicants == (
        SoapEntrant("U1", SoapStatus.UNMATCHED, personal_statements=("S1",), letters=("L1", "L2")),
        SoapEntrant("U2", SoapStatus.UNMATCHED, verified=False),
        SoapEntrant("U3", SoapStatus.UNMATCHED, can_start_july_1=False),
        SoapEntrant("PA", SoapStatus.PARTIALLY_MATCHED, Holding.ADVANCED),
        SoapEntrant("PP", SoapStatus.PARTIALLY_MATCHED, Holding.PGY1),
    )
    assert [p.code for p in soap_universe(market, result, policy, assume_opted_in=False).programs] == ["C1"]
    # The universe starts a run: only eligible applicants see the list.
    e = SoapEngine()
    e.execute(start)
    e.execute(ReleaseStatus(T("Mon 10:00")))
    e.execute(PublishUnfilledList(T("Mon 11:00")))
    assert visible_programs(e.state, "U1") == ("C1", "P1")
    assert visible_programs(e.state, "PA") == ("P1",)
    assert visible_programs(e.state, "PP") == ()
    assert (
        visible_programs(e.state, "U2")
        == visible_programs(e.state, "U3")
        == visible_programs(e.state, "M1")
        == ()
    )


def test_universe_refuses_a_partial_match_holding_an_impossible_pair() -> None:
    market = Market(
        programs=(Program("C1", Track.CATEGORICAL, 1), Program("V1", Track.ADVANCED, 1)),
        applicants=(Applicant("X"),),
    )
    result = MatchResult(
        matches=(Assignment("X", "C1"), Assignment("X", "V1")),
        statuses={"X": MatchStatus.PARTIALLY_MATCHED},
        unfilled={},
    )
    with pytest.raises(RuleViolation) as caught:
        soap_universe(market, result, Policy())
    assert caught.value.rule == "eligibility.partial_holding"
    assert caught.value.record == "X"
