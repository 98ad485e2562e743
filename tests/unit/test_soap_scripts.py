"""Hand-made ``matchweek.soap/1`` scripts played through the engine, with their exact results."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from matchweek.model import (
    Application,
    Holding,
    Offer,
    Policy,
    Response,
    RoundOutcome,
    ScriptRound,
    SoapApplicant,
    SoapMatch,
    SoapProgram,
    SoapResult,
    SoapScript,
    SoapStatus,
    Track,
    load_policy,
)
from matchweek.soap import (
    OfferRejected,
    RuleViolation,
    event_from_dict,
    event_to_dict,
    play_script,
    replay,
    run_script,
)

UNMATCHED, PARTIAL = SoapStatus.UNMATCHED, SoapStatus.PARTIALLY_MATCHED


def apps(*pairs: str) -> tuple[Application, ...]:
    """Applications written "A1>C1"."""
    return tuple(Application(*p.split(">")) for p in pairs)


def offers(*pairs: str) -> tuple[Offer, ...]:
    """Offers written "C1>A1" (program first)."""
    return tuple(Offer(*p.split(">")) for p in pairs)


def accept(*codes: str) -> Response:
    return Response(accept=codes)


def reject(*codes: str) -> Response:
    return Response(reject=codes)


# --- the example of FORMATS.md --------------------------------------------------------------------

EXAMPLE = SoapScript(
    programs=(SoapProgram("P1", Track.CATEGORICAL, 2, specialty="Internal Medicine", visa=()),),
    applicants=(SoapApplicant("A1", UNMATCHED), SoapApplicant("A2", UNMATCHED)),
    applications=apps("A1>P1"),
    rounds=(
        ScriptRound(
            applications=apps("A2>P1"),
            preference_lists={"P1": ("A2", "A1")},
            responses={"A1": accept("P1"), "A2": reject("P1")},
        ),
    ),
)


def test_example_script_gives_the_example_result() -> None:
    assert run_script(EXAMPLE) == SoapResult(
        rounds=(
            RoundOutcome(
                round=1,
                offers=offers("P1>A1", "P1>A2"),
                accepted=offers("P1>A1"),
                rejected=offers("P1>A2"),
                expired=(),
            ),
        ),
        matches=(SoapMatch("A1", "P1", 1),),
        unfilled={"P1": 1},
    )


def test_example_with_a2_holding_an_advanced_position_breaks_section_4() -> None:
    # The applicant may see only PGY-1-only programs, and P1 is categorical.
    script = replace(
        EXAMPLE, applicants=(SoapApplicant("A1", UNMATCHED), SoapApplicant("A2", PARTIAL, Holding.ADVANCED))
    )
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    assert str(caught.value) == (
        "round 1: A2: cannot apply to P1: holds an advanced position and may not see full-training programs "
        "(rule §4 apply.not_visible)"
    )


# --- a three-round week with every kind of answer ---------------------------------------------------

THREE_ROUNDS = Policy(rounds=3, max_applications=30)

WEEK = SoapScript(
    policy=THREE_ROUNDS,
    policy_overrides=frozenset({"rounds", "max_applications"}),
    programs=(
        SoapProgram("C1", Track.CATEGORICAL, 1),
        SoapProgram("C2", Track.CATEGORICAL, 1),
        SoapProgram("P1", Track.PRELIMINARY, 1),
        SoapProgram("T1", Track.TRANSITIONAL, 1),
        SoapProgram("T2", Track.TRANSITIONAL, 1),
        SoapProgram("V1", Track.ADVANCED, 1),
    ),
    applicants=(
        SoapApplicant("A1", UNMATCHED),
        SoapApplicant("A2", UNMATCHED),
        SoapApplicant("A3", UNMATCHED),
        SoapApplicant("A4", UNMATCHED),
        SoapApplicant("HA", PARTIAL, Holding.ADVANCED),
        SoapApplicant("HP", PARTIAL, Holding.PGY1),
    ),
    applications=apps(
        "A1>C1", "A2>C1", "A3>C1", "A1>C2", "A3>C2", "HA>P1", "HA>T1", "A4>P1", "A4>V1", "HP>V1", "A4>C1"
    ),
    rounds=(
        ScriptRound(
            preference_lists={
                "C1": ("A1", "A2", "A3"),
                "C2": ("A1", "A3"),
                "P1": ("A4", "HA"),
                "T1": ("HA",),
                "V1": ("A4", "HP"),
            },
            # A1 takes C2, so its C1 offer is rejected for it; A4 needs both halves and takes them
            # at once; HA does not answer and its T1 offer expires.
            responses={"A1": accept("C2"), "A4": accept("P1", "V1")},
        ),
        # C1's position, freed by A1, goes out now to A2, who turns it down.
        ScriptRound(responses={"A2": reject("C1")}),
        # Freed again, it goes to A3. HA, needing a PGY-1-only position, applies to T2 and takes it;
        # T1 may never offer to HA again.
        ScriptRound(
            applications=apps("HA>T2"),
            preference_lists={"T2": ("HA",)},
            responses={"A3": accept("C1"), "HA": accept("T2")},
        ),
    ),
)

WEEK_RESULT = SoapResult(
    rounds=(
        RoundOutcome(
            round=1,
            offers=offers("C1>A1", "C2>A1", "P1>A4", "T1>HA", "V1>A4"),
            accepted=offers("C2>A1", "P1>A4", "V1>A4"),
            rejected=offers("C1>A1"),
            expired=offers("T1>HA"),
        ),
        RoundOutcome(round=2, offers=offers("C1>A2"), rejected=offers("C1>A2")),
        RoundOutcome(round=3, offers=offers("C1>A3", "T2>HA"), accepted=offers("C1>A3", "T2>HA")),
    ),
    matches=(
        SoapMatch("A3", "C1", 3),
        SoapMatch("A1", "C2", 1),
        SoapMatch("A4", "P1", 1),
        SoapMatch("HA", "T2", 3),
        SoapMatch("A4", "V1", 1),
    ),
    unfilled={"T1": 1},
)


def test_three_round_week_gives_its_exact_result() -> None:
    run = play_script(WEEK)
    assert run.result == WEEK_RESULT
    # A1's C1 offer was rejected for it, not by it; A2 rejected C1 itself.
    rejected = [(e.program, e.applicant, e.automatic) for e in run.events if isinstance(e, OfferRejected)]
    assert rejected == [("C1", "A1", True), ("C1", "A2", False)]


def test_three_round_thirty_application_policy_from_toml(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(
        'max_applications = 30\nrounds = 3\nfirst_round_opens = "Wed 09:00"\nsoap_end = "Wed 18:00"\n'
    )
    policy = load_policy(f)
    run = play_script(replace(WEEK, policy=policy))
    assert run.result == WEEK_RESULT
    assert [str(e.at) for e in run.events if type(e).__name__ == "RoundOpened"] == [
        "Wed 09:00",
        "Wed 12:00",
        "Wed 15:00",
    ]
    # Thirty applications fit; the thirty-first does not.
    codes = [f"X{i:02d}" for i in range(31)]
    many = SoapScript(
        policy=policy,
        programs=tuple(SoapProgram(c, Track.CATEGORICAL, 1) for c in codes),
        applicants=(SoapApplicant("A1", UNMATCHED),),
        applications=tuple(Application("A1", c) for c in codes[:30]),
        rounds=(ScriptRound(applications=(Application("A1", codes[30]),)),),
    )
    with pytest.raises(RuleViolation) as caught:
        run_script(many)
    assert str(caught.value) == (
        "round 1: A1: cannot apply to X30: already sent 30 applications, the most the policy allows "
        "(rule §4 apply.cap)"
    )
    assert run_script(replace(many, rounds=())).matches == ()


def test_played_log_replays_to_the_same_state_and_survives_json() -> None:
    run = play_script(WEEK)
    assert replay(run.events) == run.state
    as_dicts = [event_to_dict(e) for e in run.events]
    assert tuple(event_from_dict(d) for d in as_dicts) == run.events


def test_four_rounds_by_default_and_a_round_without_lists_offers_nothing() -> None:
    script = SoapScript(
        programs=(SoapProgram("C1", Track.CATEGORICAL, 1),),
        applicants=(SoapApplicant("A1", UNMATCHED),),
        applications=apps("A1>C1"),
        rounds=(ScriptRound(), ScriptRound(preference_lists={"C1": ("A1",)}), ScriptRound(), ScriptRound()),
    )
    assert run_script(script) == SoapResult(
        rounds=(
            RoundOutcome(round=1),
            RoundOutcome(round=2, offers=offers("C1>A1"), expired=offers("C1>A1")),
            RoundOutcome(round=3),
            RoundOutcome(round=4),
        ),
        matches=(),
        unfilled={"C1": 1},
    )


def test_script_without_rounds_ends_with_everything_unfilled() -> None:
    script = SoapScript(
        programs=(SoapProgram("B2", Track.ADVANCED, 2), SoapProgram("A1", Track.PRELIMINARY, 1)),
        applicants=(),
    )
    assert run_script(script) == SoapResult(rounds=(), matches=(), unfilled={"A1": 1, "B2": 2})


# --- scripts that break a rule are refused as a whole -----------------------------------------------


def with_rounds(*rounds: ScriptRound, applications: tuple[Application, ...] | None = None) -> SoapScript:
    return replace(
        WEEK, rounds=rounds, applications=WEEK.applications if applications is None else applications
    )


ROUND1_LISTS = WEEK.rounds[0].preference_lists

BROKEN = [
    pytest.param(
        with_rounds(ScriptRound(preference_lists=ROUND1_LISTS, responses={"A2": accept("C2")})),
        "round 1: A2: cannot accept C2: no offer from C2 (rule §5 offer.accept.not_offered)",
        id="accept-offer-not-made",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists=ROUND1_LISTS, responses={"A3": reject("C1")})),
        "round 1: A3: cannot reject C1: no offer from C1 (rule §5 offer.reject.not_offered)",
        id="reject-offer-not-made",
    ),
    pytest.param(
        with_rounds(
            ScriptRound(preference_lists=ROUND1_LISTS),
            ScriptRound(responses={"HA": accept("T1")}),
        ),
        "round 2: HA: cannot accept T1: the offer from T1 was made in round 1 and is expired "
        "(rule §5 offer.accept.not_offered)",
        id="accept-expired-offer",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists=ROUND1_LISTS, responses={"A1": accept("C1", "C2")})),
        "round 1: A1: cannot accept C1 and C2 together: two offers only as one PGY-1-only and one advanced "
        "position, for an applicant needing both (rule §5 offer.accept.pair)",
        id="two-full-positions",
    ),
    pytest.param(
        with_rounds(
            ScriptRound(preference_lists=ROUND1_LISTS, responses={"A1": accept("C2")}),
            ScriptRound(responses={"A1": accept("C1")}),
        ),
        "round 2: A1: cannot accept C1: already accepted C2 and needs no other position "
        "(rule §5 offer.accept.second)",
        id="second-acceptance-later",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists=ROUND1_LISTS, responses={"A1": Response(("C2",), ("C2",))})),
        "round 1: A1: cannot accept C2: the offer from C2 was already rejected "
        "(rule §5 offer.accept.not_offered)",
        id="accept-and-reject-one-offer",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists=ROUND1_LISTS, responses={"Z9": accept("C1")})),
        "round 1: Z9: not an applicant taking part in SOAP (rule §5 offer.unknown_applicant)",
        id="unknown-applicant-answers",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists={"C1": ("A1", "HP")})),
        "round 1: C1: preference list names HP, who did not apply (entry 1) (rule §5 certify.not_applied)",
        id="list-names-non-applicant",
    ),
    pytest.param(
        with_rounds(ScriptRound(), ScriptRound(preference_lists={"C1": ("A1", "A2", "A1")})),
        "round 2: C1: preference list names A1 twice (entry 2) (rule §5 certify.repeat)",
        id="list-repeats",
    ),
    pytest.param(
        with_rounds(ScriptRound(preference_lists={"Q7": ()})),
        "round 1: Q7: not a program taking part in SOAP (rule §5 certify.unknown_program)",
        id="list-of-unknown-program",
    ),
    pytest.param(
        with_rounds(applications=apps("A1>C1", "HP>C1")),
        "applications[1]: HP: cannot apply to C1: holds a PGY-1-only position and may not see full-training "
        "programs (rule §4 apply.not_visible)",
        id="apply-to-program-not-visible",
    ),
    pytest.param(
        with_rounds(applications=apps("A1>C1", "A1>ZZ")),
        "applications[1]: A1: cannot apply to ZZ: not on the List of Unfilled Programs "
        "(rule §4 apply.not_on_list)",
        id="apply-to-program-not-on-list",
    ),
    pytest.param(
        with_rounds(applications=apps("A1>C1", "A1>C1")),
        "applications[1]: A1: already applied to C1 (rule §4 apply.duplicate)",
        id="apply-twice",
    ),
    pytest.param(
        with_rounds(applications=apps("M1>C1")),
        "applications[0]: M1: not a SOAP entrant (not registered, or fully matched) "
        "(rule §2 eligibility.unknown_applicant)",
        id="apply-not-eligible",
    ),
    pytest.param(
        with_rounds(
            ScriptRound(preference_lists=ROUND1_LISTS, responses={"A1": accept("C2")}),
            ScriptRound(applications=apps("A1>P1")),
        ),
        "round 2: A1: cannot apply to P1: accepted C2; no applications after an acceptance "
        "(rule §4 apply.after_acceptance)",
        id="apply-after-full-acceptance",
    ),
    pytest.param(
        with_rounds(
            ScriptRound(preference_lists=ROUND1_LISTS, responses={"A4": accept("P1")}),
            ScriptRound(applications=apps("A4>V1")),
        ),
        "round 2: A4: cannot apply to V1: accepted P1; no applications after an acceptance "
        "(rule §4 apply.after_acceptance)",
        id="apply-again-after-half-acceptance",
    ),
    pytest.param(
        with_rounds(
            ScriptRound(preference_lists=ROUND1_LISTS, responses={"HP": accept("V1")}),
        ),
        "round 1: HP: cannot accept V1: no offer from V1 (rule §5 offer.accept.not_offered)",
        id="accept-offer-that-went-to-someone-else",
    ),
    pytest.param(
        with_rounds(ScriptRound(), ScriptRound(), ScriptRound(), ScriptRound()),
        "round 4: the script has 4 rounds; the policy allows 3 (rule §3 schedule.round_limit)",
        id="round-beyond-policy",
    ),
]


@pytest.mark.parametrize(("script", "message"), BROKEN)
def test_script_breaking_a_rule_is_refused_naming_round_and_record(script: SoapScript, message: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    assert str(caught.value) == message


def test_application_beyond_the_cap_in_the_initial_applications() -> None:
    script = replace(WEEK, policy=Policy(rounds=3, max_applications=2), rounds=())
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    v = caught.value
    assert (v.rule, v.section, v.record, v.where) == ("apply.cap", "§4", "A4", "applications[10]")


def test_no_applications_after_accepting_half() -> None:
    script = replace(
        WEEK,
        applications=(*WEEK.applications, Application("A2", "P1")),
        rounds=(
            ScriptRound(preference_lists={"P1": ("A2",)}, responses={"A2": accept("P1")}),
            ScriptRound(applications=apps("A2>V1")),
        ),
    )
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    assert str(caught.value) == (
        "round 2: A2: cannot apply to V1: accepted P1; no applications after an acceptance "
        "(rule §4 apply.after_acceptance)"
    )


def test_partially_matched_script_applicant_must_say_what_it_holds() -> None:
    script = SoapScript(programs=(), applicants=(SoapApplicant("HX", PARTIAL),))
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    assert (
        str(caught.value)
        == "HX: partially matched but holds no position (rule §2 eligibility.partial_holding)"
    )
