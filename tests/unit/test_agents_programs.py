"""Program behaviour in SOAP: deal-breakers, triage buckets, reading and certified lists."""

from __future__ import annotations

import numpy as np
import pytest

from matchweek.agents import (
    Bucket,
    Cohort,
    DealBreaker,
    ProgramBehaviour,
    build_cohort,
    cautious_programs,
    certified_list,
    deal_breakers,
    list_length,
    triage,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Exam,
    ExamResult,
    Market,
    MatchResult,
    MatchStatus,
    Policy,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)
from matchweek.soap import soap_universe

IM = "Internal Medicine"
QUIET = ProgramBehaviour(reading_noise=0.0)
"""Triage without the program's own noise, so readings can be worked out by hand."""


def person(
    who: str,
    *,
    kind: ApplicantKind = ApplicantKind.US_MD,
    score: int | None = 240,
    attempts: int = 1,
    graduated: int = 2025,
    clinical: int = 12,
    flags: tuple[RedFlag, ...] = (),
    visa: Visa | None = None,
    home: str | None = None,
    ranked: tuple[str, ...] = (),
    ties: tuple[str, ...] = (),
) -> Applicant:
    exams = () if score is None else (ExamResult(Exam.USMLE_STEP2_CK, True, attempts, score),)
    return Applicant(
        who,
        kind=kind,
        graduation_year=graduated,
        us_clinical_months=clinical,
        exams=exams,
        red_flags=flags,
        visa_need=visa,
        home_institution=home,
        rank_list=tuple(RankEntry(code) for code in ranked),
        ties=ties,
    )


PROGRAMS = (
    Program(
        "P0",
        Track.CATEGORICAL,
        2,
        rank_list=("K2",),
        institution="INST-A",
        specialty=IM,
        state="NY",
        visa=(Visa.J1,),
        img_share=0.5,
    ),
    Program("P1", Track.CATEGORICAL, 1, institution="INST-B", specialty=IM, state="OH", img_share=0.2),
    Program("PR", Track.RESERVED, 1, institution="INST-C", specialty=IM, state="OH", img_share=0.3),
    # Filled in the Main Match, so not in SOAP; interviewing there means knowing INST-A.
    Program("PX", Track.PRELIMINARY, 1, institution="INST-A", specialty=IM, state="NY", img_share=0.5),
)


def cohort_of(*applicants: Applicant) -> Cohort:
    market = Market(programs=PROGRAMS, applicants=applicants)
    result = MatchResult(
        matches=(),
        statuses={a.id: MatchStatus.UNMATCHED for a in applicants},
        unfilled={"P0": 2, "P1": 1, "PR": 1},
    )
    return build_cohort(market, soap_universe(market, result, Policy()))


def reasons(cohort: Cohort, pairs: list[tuple[str, str]], behaviour: ProgramBehaviour = QUIET) -> list[str]:
    rows = np.array([cohort.row_of[a] for a, _ in pairs])
    cols = np.array([cohort.col_of[p] for _, p in pairs])
    return [DealBreaker(r).name for r in deal_breakers(cohort, rows, cols, behaviour)]


# --- deal-breakers ------------------------------------------------------------------------------


def test_a_visa_the_program_does_not_sponsor_is_a_deal_breaker() -> None:
    cohort = cohort_of(
        person("J", kind=ApplicantKind.NON_US_IMG, visa=Visa.J1),
        person("H", kind=ApplicantKind.NON_US_IMG, visa=Visa.H1B),
        person("N"),
    )
    got = reasons(cohort, [("J", "P0"), ("J", "P1"), ("H", "P0"), ("N", "P1")])
    assert got == ["NONE", "VISA", "VISA", "NONE"]


def test_multiple_exam_failures_are_a_deal_breaker() -> None:
    cohort = cohort_of(person("F1", attempts=2), person("F2", attempts=3))
    assert reasons(cohort, [("F1", "P1"), ("F2", "P1")]) == ["NONE", "EXAM_FAILURES"]
    assert reasons(cohort, [("F2", "P1")], ProgramBehaviour(max_exam_failures=2)) == ["NONE"]


def test_graduating_long_ago_without_us_clinical_experience_is_a_deal_breaker() -> None:
    cohort = cohort_of(
        person("OLD", graduated=2017, clinical=0),
        person("OLD-USCE", graduated=2017, clinical=6),
        person("RECENT", graduated=2021, clinical=0),
        person("SENIOR"),
    )
    got = reasons(cohort, [("OLD", "P1"), ("OLD-USCE", "P1"), ("RECENT", "P1"), ("SENIOR", "P1")])
    assert got == ["STALE_GRADUATION", "NONE", "NONE", "NONE"]


def test_professionalism_red_flags_are_deal_breakers_and_lesser_flags_are_not() -> None:
    cohort = cohort_of(
        person("PRO", flags=(RedFlag.PROFESSIONALISM,)),
        person("DIS", flags=(RedFlag.PRIOR_DISMISSAL,)),
        person("LOA", flags=(RedFlag.LEAVE_OF_ABSENCE,)),
    )
    assert reasons(cohort, [("PRO", "P1"), ("DIS", "P1"), ("LOA", "P1")]) == ["RED_FLAG", "RED_FLAG", "NONE"]


def test_physician_tracks_want_prior_training() -> None:
    cohort = cohort_of(person("MD"), person("PG", kind=ApplicantKind.PRIOR_GRAD, graduated=2022))
    assert reasons(cohort, [("MD", "PR"), ("PG", "PR"), ("MD", "P1")]) == [
        "NO_PRIOR_TRAINING",
        "NONE",
        "NONE",
    ]


def test_the_first_deal_breaker_in_order_is_the_one_reported() -> None:
    cohort = cohort_of(person("BOTH", kind=ApplicantKind.NON_US_IMG, visa=Visa.J1, attempts=4))
    assert reasons(cohort, [("BOTH", "P1"), ("BOTH", "P0")]) == ["VISA", "EXAM_FAILURES"]


# --- buckets and order --------------------------------------------------------------------------

BUCKETED = (
    person("HOME", score=210, home="INST-A"),
    person("INTERVIEWED", score=215, ranked=("PX",)),
    person("K2", score=220),
    person("STRONG", score=260),
    person("STRONG-1F", score=258, attempts=2),
    person("WEAK", score=200),
    person("NO-SCORE", score=None),
    person("FLAGGED", score=270, flags=(RedFlag.PROFESSIONALISM,)),
)


def test_buckets_known_then_strong_on_paper_then_backups() -> None:
    cohort = cohort_of(*BUCKETED)
    ids = [a.id for a in BUCKETED]
    t = triage(cohort, cohort.rows(ids), np.full(len(ids), cohort.col_of["P0"]), QUIET, 1)
    buckets = {who: Bucket(b).name for who, b in zip(ids, t.bucket, strict=True)}
    assert buckets == {
        "HOME": "KNOWN",  # its home institution hosts the program
        "INTERVIEWED": "KNOWN",  # interviewed at the institution in the Main Match
        "K2": "KNOWN",  # the program ranked it in the Main Match
        "STRONG": "STRONG",
        "STRONG-1F": "BACKUP",  # a strong score, but an exam failed once
        "WEAK": "BACKUP",
        "NO-SCORE": "BACKUP",
        "FLAGGED": "STRONG",
    }


def test_preference_order_reads_buckets_in_order_and_drops_deal_breakers() -> None:
    cohort = cohort_of(*BUCKETED)
    ids = [a.id for a in BUCKETED]
    col = cohort.col_of["P0"]
    t = triage(cohort, cohort.rows(ids), np.full(len(ids), col), QUIET, 1)
    order = [cohort.applicant_ids[r] for r in t.preference_order(cohort.n_programs)[col]]
    # The program ranked K2 (a bonus) and the others it knows read by score; then the strong
    # file; then the backups by reading (a missing score reads as z = -1, above WEAK's).
    # FLAGGED is never ranked.
    assert cohort.exam_z[cohort.row_of["WEAK"]] < ProgramBehaviour().missing_exam_z
    assert order == ["K2", "INTERVIEWED", "HOME", "STRONG", "STRONG-1F", "NO-SCORE", "WEAK"]
    assert t.preference_order(cohort.n_programs)[cohort.col_of["P1"]].tolist() == []


def test_reading_adds_up_the_file() -> None:
    a = person("A", kind=ApplicantKind.US_IMG, score=250, attempts=2, clinical=18, ties=("OH",))
    b = person("B", kind=ApplicantKind.US_MD, score=230, flags=(RedFlag.REMEDIATION,))
    cohort = cohort_of(a, b)
    col = cohort.col_of["P1"]
    t = triage(cohort, cohort.rows(["A", "B"]), np.array([col, col]), QUIET, 1)
    za, zb = cohort.exam_z
    assert (za, zb) == (1.0, -1.0)
    img = 0.2
    expected_a = za - 0.7 * 1 + 1.5 * 0.1 * (1 - img) + 0.5 + 0.3 * 18 / 12
    expected_b = zb - 0.7 + 1.5 * 1.0 * (1 - img) + 0.3 * 12 / 12
    assert t.reading.tolist() == pytest.approx([expected_a, expected_b])


def test_a_programs_own_view_is_seeded_per_program_and_applicant() -> None:
    cohort = cohort_of(*BUCKETED)
    rows = cohort.rows([a.id for a in BUCKETED])
    cols = np.full(len(rows), cohort.col_of["P0"])
    first = triage(cohort, rows, cols, ProgramBehaviour(), 1).reading
    assert np.array_equal(first, triage(cohort, rows, cols, ProgramBehaviour(), 1).reading)
    assert not np.array_equal(first, triage(cohort, rows, cols, ProgramBehaviour(), 2).reading)


# --- certified lists ----------------------------------------------------------------------------


def test_a_seeded_share_of_programs_offers_conservatively() -> None:
    cohort = cohort_of(person("X"))
    assert not cautious_programs(cohort, ProgramBehaviour(cautious_share=0.0), 1).any()
    assert cautious_programs(cohort, ProgramBehaviour(cautious_share=1.0), 1).all()
    some = ProgramBehaviour(cautious_share=0.5)
    assert np.array_equal(cautious_programs(cohort, some, 4), cautious_programs(cohort, some, 4))


def test_list_length_per_open_position() -> None:
    b = ProgramBehaviour(list_per_position=20.0, min_list=5, cautious_per_position=1.0)
    assert list_length(0, b, cautious_round=False) == 0
    assert list_length(0, b, cautious_round=True) == 0
    assert list_length(3, b, cautious_round=True) == 3
    assert list_length(1, b, cautious_round=False) == 20
    assert list_length(2, ProgramBehaviour(list_per_position=1.5, min_list=5), cautious_round=False) == 5


def test_certified_list_skips_applicants_already_offered_and_stops_at_its_length() -> None:
    order = np.array([5, 3, 8, 1, 9])
    assert certified_list(order, {3}, 2) == [5, 8]
    assert certified_list(order, {3, 5, 8, 1, 9}, 2) == []
    assert certified_list(order, set(), 0) == []


def test_every_deal_breaker_keeps_an_application_off_the_list() -> None:
    cohort = cohort_of(
        person("CLEAN"),
        person("VISA", kind=ApplicantKind.NON_US_IMG, visa=Visa.J1),
        person("FAILURES", attempts=3),
        person("STALE", graduated=2015, clinical=0),
        person("FLAG", flags=(RedFlag.PROFESSIONALISM,)),
        person("PRIOR", kind=ApplicantKind.PRIOR_GRAD, graduated=2023),
    )
    ids = list(cohort.applicant_ids)
    p1, pr = cohort.col_of["P1"], cohort.col_of["PR"]
    rows = cohort.rows(ids * 2)
    cols = np.array([p1] * len(ids) + [pr] * len(ids))
    orders = triage(cohort, rows, cols, ProgramBehaviour(), 1).preference_order(cohort.n_programs)
    assert sorted(cohort.applicant_ids[r] for r in orders[p1]) == ["CLEAN", "PRIOR"]
    # The physician track takes only the prior graduate.
    assert [cohort.applicant_ids[r] for r in orders[pr]] == ["PRIOR"]
