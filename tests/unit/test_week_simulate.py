"""A simulated SOAP phase: every action through the engine, deterministic, and within the rules."""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchweek.agents import (
    ProgramBehaviour,
    ResponseBehaviour,
    SprayStrategy,
    TargetedStrategy,
    UnknownEntrant,
    UnknownStrategy,
)
from matchweek.match import run_match
from matchweek.model import Market, MatchResult, Policy, WeekTime
from matchweek.soap import (
    ApplicationSubmitted,
    Kind,
    OfferAccepted,
    OfferExpired,
    OfferRejected,
    PreferenceListCertified,
    RoundClosed,
    RoundOpened,
    SoapStarted,
    SoapState,
    apply,
    kind_of,
    replay,
    soap_result,
    soap_universe,
)
from matchweek.synth import generate_market
from matchweek.week import SoapRun, simulate_soap

TIGHT = Policy(max_applications=12)
"""A cap well below the number of programs an applicant sees in a small market."""


@cache
def week(seed: int = 1) -> tuple[Market, MatchResult]:
    market = generate_market("small", seed)
    return market, run_match(market)


@cache
def simulated(seed: int = 1) -> SoapRun:
    market, result = week()
    return simulate_soap(market, result, Policy(), seed)


# --- determinism --------------------------------------------------------------------------------


def test_same_inputs_and_seed_give_the_same_event_log() -> None:
    market, result = week()
    again = simulate_soap(market, result, Policy(), 1)
    assert again.events == simulated(1).events
    assert again.result == simulated(1).result


def test_a_different_seed_gives_a_different_week() -> None:
    assert simulated(2).events != simulated(1).events


def test_the_run_holds_the_start_the_full_log_the_state_and_the_result() -> None:
    market, result = week()
    run = simulated(1)
    assert run.start == soap_universe(market, result, Policy())
    first = run.events[0]
    assert isinstance(first, SoapStarted)
    assert (first.programs, first.applicants) == (run.start.programs, run.start.applicants)
    assert replay(run.events) == run.state
    assert soap_result(run.state) == run.result
    assert run.state.ended
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.result = run.result  # type: ignore[misc]


# --- the rules hold -----------------------------------------------------------------------------


def check_invariants(run: SoapRun, policy: Policy) -> None:
    state = run.state
    for code, p in state.programs.items():
        assert len(p.accepted) <= p.positions, code
        # Programs rank only applicants who applied to them (the engine's rule).
        assert set(p.certified) <= set(p.applicants), code
    for who, a in state.applicants.items():
        assert len(a.applications) <= policy.max_applications, who
        kinds = sorted(state.programs[code].kind for code in a.accepted)
        assert kinds in ([], [Kind.FULL], [Kind.PGY1_ONLY], [Kind.ADVANCED], [Kind.ADVANCED, Kind.PGY1_ONLY])
        # Nothing beyond what it may hold together with its Main Match position.
        if a.main_holding is not None:
            assert len(kinds) <= 1
            assert Kind.FULL not in kinds
    assert replay(run.events) == state


def test_a_simulated_week_keeps_every_rule() -> None:
    check_invariants(simulated(1), Policy())


@settings(max_examples=4, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_every_seed_keeps_every_rule(seed: int) -> None:
    market, result = week()
    check_invariants(simulate_soap(market, result, Policy(), seed), Policy())


def test_the_week_follows_the_policys_rounds_and_cap() -> None:
    market, result = week()
    policy = Policy(max_applications=10, rounds=3, soap_end="Thu 18:00")
    run = simulate_soap(market, result, policy, 1)
    check_invariants(run, policy)
    assert [e.round for e in run.events if isinstance(e, RoundOpened)] == [1, 2, 3]
    used = Counter(e.applicant for e in run.events if isinstance(e, ApplicationSubmitted))
    assert max(used.values()) == 10


def test_every_eligible_entrant_applies_and_the_ineligible_do_not() -> None:
    run = simulated(1)
    applied = {e.applicant for e in run.events if isinstance(e, ApplicationSubmitted)}
    eligible = {a.id for a in run.start.applicants if a.verified and a.can_start_july_1}
    assert applied == eligible


def test_soap_places_applicants_in_most_open_positions() -> None:
    run = simulated(1)
    positions = sum(p.open for p in run.start.programs)
    assert 0.8 * positions <= len(run.result.matches) <= positions


# --- applications -------------------------------------------------------------------------------


def test_applications_carry_the_applicants_own_documents_chosen_by_specialty() -> None:
    market, _ = week()
    run = simulated(1)
    applicants = market.applicant_index()
    specialty = {p.code: p.specialty for p in run.start.programs}
    checked = 0
    for e in run.events:
        if not isinstance(e, ApplicationSubmitted):
            continue
        a = applicants[e.applicant]
        statements = {d.id: d.specialty for d in a.personal_statements}
        assert e.personal_statement in statements
        assert set(e.letters) <= {d.id for d in a.letters}
        assert 1 <= len(e.letters) <= Policy().letters_per_application
        if specialty[e.program] in statements.values():
            assert statements[e.personal_statement] == specialty[e.program]
            checked += 1
    assert checked > 0


def test_unplaced_applicants_apply_between_rounds_to_programs_still_open() -> None:
    market, result = week()
    # With a cap below the number of programs in view, the reserve is worth keeping.
    run = simulate_soap(market, result, TIGHT, 1)
    state = SoapState()
    closed = False
    late = 0
    for e in run.events:
        if isinstance(e, RoundClosed):
            closed = True
        if closed and isinstance(e, ApplicationSubmitted):
            late += 1
            assert not state.applicants[e.applicant].accepted
            program = state.programs[e.program]
            assert len(program.accepted) < program.positions
            assert e.at >= WeekTime.parse("Thu 11:00")
        apply(state, e)
    assert late > 0


def test_without_a_reserve_applicants_send_everything_at_the_list_release() -> None:
    market, result = week()
    run = simulate_soap(market, result, Policy(), 1, strategy=TargetedStrategy(reserve_share=0.0))
    times = {e.at for e in run.events if isinstance(e, ApplicationSubmitted)}
    assert times == {WeekTime.parse("Mon 11:00")}


# --- strategies per applicant -------------------------------------------------------------------


def test_a_strategy_can_be_chosen_per_applicant() -> None:
    market, result = week()
    entrants = [a.id for a in simulated(1).start.applicants]
    chosen = {who: "spray" for who in entrants[::10]}
    run = simulate_soap(market, result, Policy(), 1, strategy=chosen)
    assert {who for who, name in run.strategies.items() if name == "spray"} == set(chosen)
    assert Counter(run.strategies.values())["targeted"] == len(entrants) - len(chosen)
    check_invariants(run, Policy())


def test_switching_some_applicants_leaves_the_others_choices_unchanged() -> None:
    market, result = week()
    entrants = [a.id for a in simulated(1).start.applicants]
    switched = set(entrants[3::10])
    everyone = simulate_soap(market, result, TIGHT, 1)
    mixed = simulate_soap(market, result, TIGHT, 1, strategy=dict.fromkeys(switched, "spray"))
    list_release = WeekTime.parse("Mon 11:00")

    def first_applications(run: SoapRun) -> list[tuple[str, str]]:
        return [
            (e.applicant, e.program)
            for e in run.events
            if isinstance(e, ApplicationSubmitted) and e.at == list_release and e.applicant not in switched
        ]

    assert first_applications(mixed) == first_applications(everyone)

    def switched_applications(run: SoapRun) -> set[tuple[str, str]]:
        return {
            (e.applicant, e.program)
            for e in run.events
            if isinstance(e, ApplicationSubmitted) and e.applicant in switched
        }

    assert switched_applications(mixed) != switched_applications(everyone)


def test_strategy_objects_and_names_are_accepted_and_unknown_ones_refused() -> None:
    market, result = week()
    by_object = simulate_soap(market, result, Policy(), 1, strategy=SprayStrategy())
    by_name = simulate_soap(market, result, Policy(), 1, strategy="spray")
    assert by_object.events == by_name.events
    with pytest.raises(UnknownStrategy):
        simulate_soap(market, result, Policy(), 1, strategy="shotgun")
    with pytest.raises(UnknownEntrant, match="NOBODY"):
        simulate_soap(market, result, Policy(), 1, strategy={"NOBODY": "spray"})


# --- program and response behaviour in the week ------------------------------------------------


def test_cautious_programs_certify_short_first_round_lists() -> None:
    market, result = week()
    positions = {p.code: p.open for p in soap_universe(market, result, Policy()).programs}

    def first_round_lengths(behaviour: ProgramBehaviour) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in simulate_soap(market, result, Policy(), 1, programs=behaviour).events:
            if isinstance(e, RoundOpened):
                break
            if isinstance(e, PreferenceListCertified):
                out[e.program] = len(e.applicants)
        return out

    cautious = first_round_lengths(ProgramBehaviour(cautious_share=1.0))
    assert cautious and all(n <= positions[code] for code, n in cautious.items())
    bold = first_round_lengths(ProgramBehaviour(cautious_share=0.0))
    assert sum(bold.values()) > sum(cautious.values())
    assert any(n > positions[code] for code, n in bold.items())


def test_declined_offers_are_rejected_or_left_to_expire_as_the_share_says() -> None:
    market, result = week()

    def declined(expire_share: float) -> tuple[int, int]:
        run = simulate_soap(
            market, result, Policy(), 1, responses=ResponseBehaviour(expire_share=expire_share)
        )
        rejected = sum(1 for e in run.events if isinstance(e, OfferRejected) and not e.automatic)
        expired = sum(1 for e in run.events if isinstance(e, OfferExpired))
        return rejected, expired

    rejected, expired = declined(0.0)
    assert rejected > 0 and expired == 0
    rejected, expired = declined(1.0)
    assert rejected == 0 and expired > 0


def test_acceptances_are_binding_matches_of_needed_kinds() -> None:
    run = simulated(1)
    tracks = {p.code: p.track for p in run.start.programs}
    accepted = [e for e in run.events if isinstance(e, OfferAccepted)]
    assert accepted
    assert {(m.applicant, m.program) for m in run.result.matches} == {
        (e.applicant, e.program) for e in accepted
    }
    partial = {a.id: a.holds for a in run.start.applicants if a.holds is not None}
    for e in accepted:
        if e.applicant in partial:
            assert kind_of(tracks[e.program]) is not Kind.FULL
