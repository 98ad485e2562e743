"""The SOAP engine enforces every rule of §2–§6, and each refusal names its rule and record."""

from __future__ import annotations

import copy

import pytest

from matchweek.errors import MatchweekError
from matchweek.model import Holding, Policy, SoapProgram, SoapStatus, Track, WeekTime
from matchweek.soap import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    Kind,
    OfferAccepted,
    OfferExtended,
    OfferRejected,
    OfferStatus,
    OfferView,
    OpenRound,
    PublishUnfilledList,
    RecordVerification,
    Reject,
    ReleaseStatus,
    RuleViolation,
    SoapEngine,
    SoapEntrant,
    StartSoap,
    SubmitApplication,
    applicants_of,
    handle,
    needs,
    offers_of,
    round_state,
    unfilled_positions,
    visible_programs,
)

T = WeekTime.parse
MON10, MON11, TUE08 = T("Mon 10:00"), T("Mon 11:00"), T("Tue 08:00")
R1, R1_CLOSE = T("Thu 09:00"), T("Thu 11:00")
R2, R2_CLOSE = T("Thu 12:00"), T("Thu 14:00")
R3, R3_CLOSE = T("Thu 15:00"), T("Thu 17:00")
R4, R4_CLOSE = T("Thu 18:00"), T("Thu 20:00")
END = T("Thu 21:00")

PROGRAMS = (
    SoapProgram("C1", Track.CATEGORICAL, 1),
    SoapProgram("C2", Track.CATEGORICAL, 2),
    SoapProgram("P1", Track.PRELIMINARY, 1),
    SoapProgram("T1", Track.TRANSITIONAL, 1),
    SoapProgram("V1", Track.ADVANCED, 1),
    SoapProgram("R1", Track.RESERVED, 1),
)
UNMATCHED, PARTIAL = SoapStatus.UNMATCHED, SoapStatus.PARTIALLY_MATCHED
APPLICANTS = (
    SoapEntrant("A1", UNMATCHED, personal_statements=("PS1", "PS2"), letters=("L1", "L2", "L3", "L4", "L5")),
    SoapEntrant("A2", UNMATCHED),
    SoapEntrant("A3", UNMATCHED),
    SoapEntrant("HA", PARTIAL, Holding.ADVANCED),
    SoapEntrant("HP", PARTIAL, Holding.PGY1),
    SoapEntrant("UV", UNMATCHED, verified=False),
    SoapEntrant("NJ", UNMATCHED, can_start_july_1=False),
)


def started(policy: Policy | None = None, *, published: bool = True, at: WeekTime = MON10) -> SoapEngine:
    engine = SoapEngine()
    engine.execute(StartSoap(at, PROGRAMS, APPLICANTS, policy or Policy()))
    if published:
        engine.execute(ReleaseStatus(MON10))
        engine.execute(PublishUnfilledList(MON11))
    return engine


def run(engine: SoapEngine, *commands: Command) -> SoapEngine:
    for c in commands:
        engine.execute(c)
    return engine


def apply_all(engine: SoapEngine, *pairs: str) -> None:
    """Applications written "A1>C1"."""
    for pair in pairs:
        who, code = pair.split(">")
        engine.execute(SubmitApplication(engine.state.clock or MON11, who, code))


def refused(engine: SoapEngine, command: Command, rule: str, record: str, section: str) -> RuleViolation:
    """The command is refused for ``rule``, naming ``record``; neither state nor log changes."""
    before_state = copy.deepcopy(engine.state)
    before_log = list(engine.events)
    with pytest.raises(RuleViolation) as caught:
        engine.execute(command)
    v = caught.value
    assert v.rule == rule, str(v)
    assert v.section == section, str(v)
    assert v.record == record, str(v)
    text = str(v)
    assert "\n" not in text
    assert f"(rule {section} {rule})" in text
    if record:
        assert f"{record}: " in text
    assert engine.state == before_state
    assert engine.events == before_log
    return v


def test_rule_violation_is_a_matchweek_error_with_one_line() -> None:
    v = RuleViolation(
        "offer.accept.not_offered", "§5", "cannot accept P1: no offer from P1", applicant="A00017", round=2
    )
    assert isinstance(v, MatchweekError)
    assert str(v) == "round 2: A00017: cannot accept P1: no offer from P1 (rule §5 offer.accept.not_offered)"
    assert str(v.placed(where="applications[3]")).startswith("applications[3]: A00017: ")
    import pickle

    again = pickle.loads(pickle.dumps(v))
    assert (again.rule, again.round, again.record, str(again)) == (v.rule, v.round, v.record, str(v))


# --- §5 needs ------------------------------------------------------------------------------------


def test_needs_follow_the_rule_book() -> None:
    full, pgy1, adv = Kind.FULL, Kind.PGY1_ONLY, Kind.ADVANCED
    assert needs(frozenset()) == {full, pgy1, adv}
    assert needs(frozenset({full})) == set()
    assert needs(frozenset({pgy1, adv})) == set()
    assert needs(frozenset({pgy1})) == {adv}
    assert needs(frozenset({adv})) == {pgy1}


# --- §2 eligibility ------------------------------------------------------------------------------


def test_program_without_unfilled_positions_cannot_take_part() -> None:
    programs = (*PROGRAMS, SoapProgram("Z0", Track.CATEGORICAL, 0))
    refused(SoapEngine(), StartSoap(MON10, programs, APPLICANTS), "eligibility.program.unfilled", "Z0", "§2")


def test_programs_and_applicants_listed_once() -> None:
    refused(
        SoapEngine(),
        StartSoap(MON10, (*PROGRAMS, PROGRAMS[0]), APPLICANTS),
        "eligibility.program.duplicate",
        "C1",
        "§2",
    )
    refused(
        SoapEngine(),
        StartSoap(MON10, PROGRAMS, (*APPLICANTS, APPLICANTS[1])),
        "eligibility.applicant.duplicate",
        "A2",
        "§2",
    )


def test_partial_match_must_say_what_it_holds_and_unmatched_holds_nothing() -> None:
    bad_partial = (SoapEntrant("X", PARTIAL),)
    refused(SoapEngine(), StartSoap(MON10, PROGRAMS, bad_partial), "eligibility.partial_holding", "X", "§2")
    bad_unmatched = (SoapEntrant("Y", UNMATCHED, Holding.ADVANCED),)
    refused(SoapEngine(), StartSoap(MON10, PROGRAMS, bad_unmatched), "eligibility.partial_holding", "Y", "§2")


def test_fully_matched_or_unregistered_applicant_cannot_apply() -> None:
    e = started()
    v = refused(e, SubmitApplication(MON11, "M9", "C1"), "eligibility.unknown_applicant", "M9", "§2")
    assert "fully matched" in str(v)
    assert visible_programs(e.state, "M9") == ()


def test_unverified_applicant_cannot_apply_until_verified() -> None:
    e = started()
    assert visible_programs(e.state, "UV") == ()
    refused(e, SubmitApplication(MON11, "UV", "C1"), "eligibility.unverified", "UV", "§2")
    e.execute(RecordVerification(MON11, "UV"))
    assert "C1" in visible_programs(e.state, "UV")
    e.execute(SubmitApplication(MON11, "UV", "C1"))
    assert applicants_of(e.state, "C1") == ("UV",)
    refused(e, RecordVerification(MON11, "UV"), "eligibility.already_verified", "UV", "§2")
    refused(e, RecordVerification(MON11, "NOPE"), "eligibility.unknown_applicant", "NOPE", "§2")


def test_applicant_unable_to_start_july_1_cannot_apply() -> None:
    e = started()
    assert visible_programs(e.state, "NJ") == ()
    refused(e, SubmitApplication(MON11, "NJ", "C1"), "eligibility.july_1", "NJ", "§2")


# --- §3 schedule ---------------------------------------------------------------------------------


def test_nothing_before_start_and_only_one_start() -> None:
    refused(SoapEngine(), ReleaseStatus(MON10), "schedule.not_started", "", "§3")
    e = started()
    refused(e, StartSoap(MON10, PROGRAMS, APPLICANTS), "schedule.already_started", "", "§3")


def test_time_never_runs_backwards() -> None:
    e = started()
    e.execute(SubmitApplication(TUE08, "A1", "C1"))
    refused(e, SubmitApplication(MON11, "A2", "C1"), "schedule.clock", "", "§3")


def test_status_then_list_each_once_and_on_time() -> None:
    e = started(published=False, at=T("Mon 08:00"))
    refused(e, ReleaseStatus(T("Mon 09:59")), "schedule.status_release", "", "§3")
    refused(e, PublishUnfilledList(MON11), "schedule.list_release", "", "§3")
    e.execute(ReleaseStatus(MON10))
    refused(e, ReleaseStatus(MON10), "schedule.status_release", "", "§3")
    refused(e, PublishUnfilledList(T("Mon 10:59")), "schedule.list_release", "", "§3")
    e.execute(PublishUnfilledList(MON11))
    refused(e, PublishUnfilledList(MON11), "schedule.list_release", "", "§3")


def test_no_applications_lists_or_rounds_before_the_list_release() -> None:
    e = started(published=False)
    e.execute(ReleaseStatus(MON10))
    assert visible_programs(e.state, "A1") == ()
    refused(e, SubmitApplication(MON10, "A1", "C1"), "schedule.apply_before_list", "A1", "§3")
    refused(e, CertifyPreferenceList(TUE08, "C1", ()), "schedule.certify_before_list", "C1", "§3")
    refused(e, OpenRound(R1, 1), "schedule.round_before_list", "", "§3")


def test_preference_lists_only_once_programs_may_review() -> None:
    e = started()
    apply_all(e, "A1>C1")
    refused(e, CertifyPreferenceList(T("Tue 07:59"), "C1", ("A1",)), "schedule.review_start", "C1", "§3")
    e.execute(CertifyPreferenceList(TUE08, "C1", ("A1",)))


def test_rounds_open_in_order_one_at_a_time_and_on_time() -> None:
    e = started()
    refused(e, OpenRound(R2, 2), "schedule.round_order", "", "§3")
    refused(e, OpenRound(T("Thu 08:59"), 1), "schedule.round_too_early", "", "§3")
    refused(e, OpenRound(R1_CLOSE, 1), "schedule.round_too_late", "", "§3")
    refused(e, OpenRound(R1, 0), "schedule.round_limit", "", "§3")
    e.execute(OpenRound(R1, 1))
    refused(e, OpenRound(R2, 2), "schedule.round_open", "", "§3")
    refused(e, CloseRound(R1_CLOSE, 2), "schedule.round_order", "", "§3")
    refused(e, CloseRound(T("Thu 10:59"), 1), "schedule.close_too_early", "", "§5")
    e.execute(CloseRound(R1_CLOSE, 1))
    refused(e, CloseRound(R2_CLOSE, 1), "schedule.round_not_open", "", "§3")


def test_no_round_beyond_the_policy() -> None:
    policy = Policy(rounds=2)
    e = started(policy)
    run(e, OpenRound(R1, 1), CloseRound(R1_CLOSE, 1), OpenRound(R2, 2), CloseRound(R2_CLOSE, 2))
    v = refused(e, OpenRound(R3, 3), "schedule.round_limit", "", "§3")
    assert str(v).startswith("round 3: ")


def test_soap_ends_on_time_with_no_round_open_and_then_takes_no_commands() -> None:
    e = started()
    e.execute(OpenRound(R1, 1))
    refused(e, EndSoap(END), "schedule.end_round_open", "", "§3")
    e.execute(CloseRound(R1_CLOSE, 1))
    refused(e, EndSoap(T("Thu 20:59")), "schedule.end_too_early", "", "§3")
    e.execute(EndSoap(END))
    refused(e, SubmitApplication(END, "A1", "C1"), "schedule.ended", "", "§6")
    refused(e, OpenRound(END, 2), "schedule.ended", "", "§6")


# --- §4 applications -----------------------------------------------------------------------------


def test_applications_only_between_rounds() -> None:
    e = started()
    e.execute(OpenRound(R1, 1))
    refused(e, SubmitApplication(R1, "A1", "C1"), "apply.during_round", "A1", "§4")
    e.execute(CloseRound(R1_CLOSE, 1))
    e.execute(SubmitApplication(R1_CLOSE, "A1", "C1"))


def test_application_cap_counts_all_of_soap() -> None:
    e = started(Policy(max_applications=2))
    apply_all(e, "A1>C1")
    e.execute(SubmitApplication(TUE08, "A1", "P1"))
    v = refused(e, SubmitApplication(TUE08, "A1", "V1"), "apply.cap", "A1", "§4")
    assert "already sent 2 applications" in str(v)
    apply_all(e, "A2>V1")  # another applicant is not affected


def test_only_programs_on_the_list_and_never_twice() -> None:
    e = started()
    refused(e, SubmitApplication(MON11, "A1", "ZZ9"), "apply.not_on_list", "A1", "§4")
    apply_all(e, "A1>C1")
    refused(e, SubmitApplication(MON11, "A1", "C1"), "apply.duplicate", "A1", "§4")


def test_partially_matched_see_and_apply_only_to_the_complementary_type() -> None:
    e = started()
    assert visible_programs(e.state, "A1") == ("C1", "C2", "P1", "R1", "T1", "V1")
    assert visible_programs(e.state, "HA") == ("P1", "T1")
    assert visible_programs(e.state, "HP") == ("V1",)
    for code in ("C1", "R1", "V1"):
        v = refused(e, SubmitApplication(MON11, "HA", code), "apply.not_visible", "HA", "§4")
    assert "holds an advanced position" in str(v)
    for code in ("C1", "P1", "T1", "R1"):
        refused(e, SubmitApplication(MON11, "HP", code), "apply.not_visible", "HP", "§4")
    apply_all(e, "HA>P1", "HA>T1", "HP>V1")


def test_no_applications_after_an_acceptance() -> None:
    e = started()
    apply_all(e, "A1>P1")
    run(e, CertifyPreferenceList(TUE08, "P1", ("A1",)), OpenRound(R1, 1), Accept(R1, "A1", ("P1",)))
    e.execute(CloseRound(R1_CLOSE, 1))
    # Still needs an advanced position, yet may send no more applications (§4).
    assert visible_programs(e.state, "A1") == ("V1",)
    refused(e, SubmitApplication(R1_CLOSE, "A1", "V1"), "apply.after_acceptance", "A1", "§4")


def test_documents_chosen_per_application_within_the_limits() -> None:
    e = started()
    e.execute(SubmitApplication(MON11, "A1", "C1", "PS1", ("L1", "L2", "L3", "L4")))
    e.execute(SubmitApplication(MON11, "A1", "C2", "PS2", ()))
    refused(e, SubmitApplication(MON11, "A1", "P1", None, ("L1",)), "apply.documents.statement", "A1", "§4")
    refused(e, SubmitApplication(MON11, "A1", "P1", "PS9", ()), "apply.documents.not_owned", "A1", "§4")
    too_many = ("L1", "L2", "L3", "L4", "L5")
    refused(e, SubmitApplication(MON11, "A1", "P1", "PS1", too_many), "apply.documents.letters", "A1", "§4")
    refused(
        e, SubmitApplication(MON11, "A1", "P1", "PS1", ("L1", "L1")), "apply.documents.letters", "A1", "§4"
    )
    refused(e, SubmitApplication(MON11, "A1", "P1", "PS1", ("L9",)), "apply.documents.not_owned", "A1", "§4")
    # An applicant without documents on file cannot name any.
    refused(e, SubmitApplication(MON11, "A2", "P1", "PS1", ()), "apply.documents.not_owned", "A2", "§4")


def test_document_limits_come_from_the_policy() -> None:
    e = started(Policy(letters_per_application=2, personal_statements_per_application=0))
    e.execute(SubmitApplication(MON11, "A1", "C1", None, ("L1", "L2")))
    refused(
        e,
        SubmitApplication(MON11, "A1", "C2", None, ("L1", "L2", "L3")),
        "apply.documents.letters",
        "A1",
        "§4",
    )
    refused(e, SubmitApplication(MON11, "A1", "C2", "PS1", ()), "apply.documents.statement", "A1", "§4")


def test_a_program_sees_only_who_applied() -> None:
    e = started()
    apply_all(e, "A2>C1", "A1>C1", "A3>C2")
    assert applicants_of(e.state, "C1") == ("A2", "A1")
    assert applicants_of(e.state, "C2") == ("A3",)
    assert applicants_of(e.state, "P1") == ()
    assert applicants_of(e.state, "NOPE") == ()


# --- §5 preference lists -------------------------------------------------------------------------


def test_preference_list_holds_only_applicants_who_applied_without_repeats() -> None:
    e = started()
    apply_all(e, "A1>C1", "A2>C1")
    refused(e, CertifyPreferenceList(TUE08, "C1", ("A1", "A3")), "certify.not_applied", "C1", "§5")
    refused(e, CertifyPreferenceList(TUE08, "C1", ("A1", "A2", "A1")), "certify.repeat", "C1", "§5")
    refused(e, CertifyPreferenceList(TUE08, "ZZ9", ()), "certify.unknown_program", "ZZ9", "§5")
    e.execute(CertifyPreferenceList(TUE08, "C1", ("A2", "A1")))


def test_no_preference_list_after_the_last_round_opened() -> None:
    e = started(Policy(rounds=1))
    apply_all(e, "A1>C1")
    e.execute(OpenRound(R1, 1))
    refused(e, CertifyPreferenceList(R1, "C1", ("A1",)), "certify.no_round_left", "C1", "§5")


# --- §5 offers -----------------------------------------------------------------------------------


def offered(events: list) -> list[tuple[str, str]]:
    return [(e.program, e.applicant) for e in events if isinstance(e, OfferExtended)]


def test_no_list_no_offers() -> None:
    e = started()
    apply_all(e, "A1>C1")
    assert offered(e.execute(OpenRound(R1, 1))) == []


def test_offers_go_down_the_list_as_many_as_open_positions_several_per_applicant() -> None:
    e = started()
    apply_all(e, "A1>C1", "A2>C1", "A1>C2", "A2>C2", "A3>C2")
    run(
        e,
        CertifyPreferenceList(TUE08, "C1", ("A2", "A1")),
        CertifyPreferenceList(TUE08, "C2", ("A2", "A3", "A1")),
    )
    assert offered(e.execute(OpenRound(R1, 1))) == [("C1", "A2"), ("C2", "A2"), ("C2", "A3")]
    assert [o.program for o in offers_of(e.state, "A2")] == ["C1", "C2"]
    standing = round_state(e.state, "C2")
    assert (standing.positions, standing.outstanding, standing.open) == (2, ("A2", "A3"), 0)


def test_accepting_is_binding_and_rejects_the_offers_no_longer_needed() -> None:
    e = started()
    apply_all(e, "A1>C1", "A1>C2", "A1>P1")
    for code in ("C1", "C2", "P1"):
        e.execute(CertifyPreferenceList(TUE08, code, ("A1",)))
    e.execute(OpenRound(R1, 1))
    events = e.execute(Accept(R1, "A1", ("C2",)))
    assert events == [
        OfferAccepted(R1, 1, "C2", "A1"),
        OfferRejected(R1, 1, "C1", "A1", automatic=True),
        OfferRejected(R1, 1, "P1", "A1", automatic=True),
    ]
    assert offers_of(e.state, "A1") == (
        OfferView("C1", 1, OfferStatus.REJECTED),
        OfferView("C2", 1, OfferStatus.ACCEPTED),
        OfferView("P1", 1, OfferStatus.REJECTED),
    )
    v = refused(e, Accept(R1, "A1", ("C1",)), "offer.accept.second", "A1", "§5")
    assert str(v).startswith("round 1: A1: cannot accept C1: already accepted C2")


def test_accepting_a_pgy1_only_offer_keeps_advanced_offers_open() -> None:
    e = started()
    apply_all(e, "A1>P1", "A1>T1", "A1>V1", "A1>C1")
    for code in ("P1", "T1", "V1", "C1"):
        e.execute(CertifyPreferenceList(TUE08, code, ("A1",)))
    e.execute(OpenRound(R1, 1))
    events = e.execute(Accept(R1, "A1", ("T1",)))
    assert [(type(x).__name__, x.program) for x in events] == [
        ("OfferAccepted", "T1"),
        ("OfferRejected", "C1"),
        ("OfferRejected", "P1"),
    ]
    # One of each kind: the advanced offer may still be accepted in the same round.
    e.execute(Accept(R1, "A1", ("V1",)))
    assert e.state.applicants["A1"].needs == frozenset()


def test_applicant_needing_both_accepts_two_offers_at_once() -> None:
    e = started()
    apply_all(e, "A1>P1", "A1>V1", "A1>C1", "A1>T1")
    for code in ("P1", "V1", "C1", "T1"):
        e.execute(CertifyPreferenceList(TUE08, code, ("A1",)))
    e.execute(OpenRound(R1, 1))
    refused(e, Accept(R1, "A1", ("P1", "T1")), "offer.accept.pair", "A1", "§5")
    refused(e, Accept(R1, "A1", ("C1", "V1")), "offer.accept.pair", "A1", "§5")
    refused(e, Accept(R1, "A1", ("C1", "V1", "P1")), "offer.accept.pair", "A1", "§5")
    refused(e, Accept(R1, "A1", ("P1", "P1")), "offer.accept.repeat", "A1", "§5")
    refused(e, Accept(R1, "A1", ()), "offer.accept.empty", "A1", "§5")
    events = e.execute(Accept(R1, "A1", ("V1", "P1")))
    assert [(type(x).__name__, x.program) for x in events] == [
        ("OfferAccepted", "P1"),
        ("OfferAccepted", "V1"),
        ("OfferRejected", "C1"),
        ("OfferRejected", "T1"),
    ]


def test_partially_matched_holding_advanced_is_offered_and_takes_only_a_pgy1_only_position() -> None:
    e = started()
    apply_all(e, "HA>P1", "HA>T1", "A1>P1")
    run(e, CertifyPreferenceList(TUE08, "P1", ("HA", "A1")), CertifyPreferenceList(TUE08, "T1", ("HA",)))
    assert offered(e.execute(OpenRound(R1, 1))) == [("P1", "HA"), ("T1", "HA")]
    refused(e, Accept(R1, "HA", ("P1", "T1")), "offer.accept.pair", "HA", "§5")
    events = e.execute(Accept(R1, "HA", ("P1",)))
    assert [type(x).__name__ for x in events] == ["OfferAccepted", "OfferRejected"]
    assert e.state.applicants["HA"].needs == frozenset()


def test_answers_only_to_open_offers_of_the_open_round() -> None:
    e = started()
    apply_all(e, "A1>C1", "A2>C2")
    run(e, CertifyPreferenceList(TUE08, "C1", ("A1",)), CertifyPreferenceList(TUE08, "C2", ("A2",)))
    refused(e, Accept(R1, "A1", ("C1",)), "schedule.round_not_open", "A1", "§5")
    e.execute(OpenRound(R1, 1))
    v = refused(e, Accept(R1, "A1", ("C2",)), "offer.accept.not_offered", "A1", "§5")
    assert str(v) == "round 1: A1: cannot accept C2: no offer from C2 (rule §5 offer.accept.not_offered)"
    refused(e, Reject(R1, "A1", ("C2",)), "offer.reject.not_offered", "A1", "§5")
    refused(e, Reject(R1, "A1", ()), "offer.reject.empty", "A1", "§5")
    refused(e, Reject(R1, "A1", ("C1", "C1")), "offer.reject.repeat", "A1", "§5")
    refused(e, Accept(R1, "NOPE", ("C1",)), "offer.unknown_applicant", "NOPE", "§5")
    refused(e, Accept(R1_CLOSE, "A1", ("C1",)), "schedule.response_window", "A1", "§5")
    e.execute(Reject(R1, "A2", ("C2",)))
    v = refused(e, Accept(R1, "A2", ("C2",)), "offer.accept.not_offered", "A2", "§5")
    assert "already rejected" in str(v)
    e.execute(CloseRound(R1_CLOSE, 1))
    e.execute(OpenRound(R2, 2))
    v = refused(e, Accept(R2, "A1", ("C1",)), "offer.accept.not_offered", "A1", "§5")
    assert "made in round 1 and is expired" in str(v)


def test_freed_position_goes_out_next_round_never_again_to_the_same_applicant() -> None:
    e = started()
    apply_all(e, "A1>C1", "A2>C1", "A3>C1")
    e.execute(CertifyPreferenceList(TUE08, "C1", ("A1", "A2", "A3")))
    assert offered(e.execute(OpenRound(R1, 1))) == [("C1", "A1")]
    e.execute(Reject(R1, "A1", ("C1",)))
    assert round_state(e.state, "C1").open == 1  # free, but not offered again during round 1
    assert offered(e.execute(CloseRound(R1_CLOSE, 1))) == []
    assert offered(e.execute(OpenRound(R2, 2))) == [("C1", "A2")]
    # A2 lets it expire; round 3 goes to A3, never back to A1 or A2.
    e.execute(CloseRound(R2_CLOSE, 2))
    assert offers_of(e.state, "A2") == (OfferView("C1", 2, OfferStatus.EXPIRED),)
    assert offered(e.execute(OpenRound(R3, 3))) == [("C1", "A3")]
    e.execute(Reject(R3, "A3", ("C1",)))
    e.execute(CloseRound(R3_CLOSE, 3))
    assert offered(e.execute(OpenRound(R4, 4))) == []


def test_applicant_placed_elsewhere_is_no_longer_available() -> None:
    e = started()
    apply_all(e, "A1>C1", "A1>C2", "A2>C2")
    run(
        e,
        CertifyPreferenceList(TUE08, "C1", ("A1",)),
        CertifyPreferenceList(TUE08, "C2", ("A1", "A2")),
        OpenRound(R1, 1),
    )
    # C2 (two positions) offers to both; A1 takes C1 and so rejects C2 automatically.
    e.execute(Accept(R1, "A1", ("C1",)))
    e.execute(CloseRound(R1_CLOSE, 1))
    assert offered(e.execute(OpenRound(R2, 2))) == []


def test_list_certified_during_a_round_is_used_from_the_next() -> None:
    e = started()
    apply_all(e, "A1>C1", "A2>C1")
    e.execute(CertifyPreferenceList(TUE08, "C1", ("A1", "A2")))
    assert offered(e.execute(OpenRound(R1, 1))) == [("C1", "A1")]
    e.execute(CertifyPreferenceList(R1, "C1", ("A2",)))
    assert round_state(e.state, "C1").in_force == ("A1", "A2")
    assert round_state(e.state, "C1").certified == ("A2",)
    e.execute(Accept(R1, "A1", ("C1",)))
    e.execute(CloseRound(R1_CLOSE, 1))
    # C1 is full: the new list produces nothing.
    assert offered(e.execute(OpenRound(R2, 2))) == []


def test_reserved_tracks_count_as_full_training() -> None:
    e = started()
    apply_all(e, "A1>R1", "A1>C1")
    run(e, CertifyPreferenceList(TUE08, "R1", ("A1",)), CertifyPreferenceList(TUE08, "C1", ("A1",)))
    e.execute(OpenRound(R1, 1))
    events = e.execute(Accept(R1, "A1", ("R1",)))
    assert [type(x).__name__ for x in events] == ["OfferAccepted", "OfferRejected"]


def test_refused_commands_leave_no_trace_and_handle_is_pure() -> None:
    e = started()
    apply_all(e, "A1>C1")
    e.execute(CertifyPreferenceList(TUE08, "C1", ("A1",)))
    snapshot = copy.deepcopy(e.state)
    events = handle(e.state, OpenRound(R1, 1))
    assert offered(events) == [("C1", "A1")]
    assert e.state == snapshot


# --- §6 after SOAP -------------------------------------------------------------------------------


def test_still_unfilled_positions_form_the_live_list() -> None:
    e = started()
    apply_all(e, "A1>C2", "A2>C1")
    run(e, CertifyPreferenceList(TUE08, "C2", ("A1",)), OpenRound(R1, 1), Accept(R1, "A1", ("C2",)))
    run(e, CloseRound(R1_CLOSE, 1), EndSoap(END))
    assert unfilled_positions(e.state) == {"C1": 1, "C2": 1, "P1": 1, "R1": 1, "T1": 1, "V1": 1}
