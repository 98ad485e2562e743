"""The domain model: track types, exam failures, headline counts."""

from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
    Exam,
    ExamResult,
    Market,
    Program,
    RankEntry,
    Track,
    Visa,
)


def test_track_types_know_pgy1_and_one_year_tracks() -> None:
    assert [t.value for t in Track if t.is_pgy1] == ["categorical", "preliminary", "transitional", "reserved"]
    assert [t.value for t in Track if t.is_pgy1_only] == ["preliminary", "transitional"]


def test_exam_failures_count_every_attempt_but_the_pass() -> None:
    a = Applicant(
        id="A1",
        exams=(
            ExamResult(Exam.USMLE_STEP1, passed=True, attempts=2),
            ExamResult(Exam.USMLE_STEP2_CK, passed=True, attempts=1, score=231),
            ExamResult(Exam.USMLE_STEP3, passed=False, attempts=2),
        ),
    )
    assert a.exam_failures == 3


def test_program_sponsorship() -> None:
    p = Program(code="P", track=Track.CATEGORICAL, positions=1, visa=(Visa.J1,))
    assert p.sponsors(None)
    assert p.sponsors(Visa.J1)
    assert not p.sponsors(Visa.H1B)


def test_headline_counts() -> None:
    market = Market(
        programs=(
            Program(code="C", track=Track.CATEGORICAL, positions=3, visa=(Visa.J1,)),
            Program(code="A", track=Track.ADVANCED, positions=2),
            Program(code="P", track=Track.PRELIMINARY, positions=1),
        ),
        applicants=(
            Applicant(
                id="A1",
                kind=ApplicantKind.US_MD,
                rank_list=(RankEntry("A", "s"), RankEntry("C")),
                supplemental_lists={"s": ("P",)},
            ),
            Applicant(id="A2", kind=ApplicantKind.NON_US_IMG),
            Applicant(id="A3", kind=ApplicantKind.US_DO),
            Applicant(id="A4", kind=ApplicantKind.US_DO),
        ),
        couples=(Couple(members=("A3", "A4"), rank_list=(("C", "P"),)),),
    )
    h = market.headline()
    assert h.programs == 3
    assert h.positions == 6
    assert h.pgy1_positions == 4
    assert h.applicants == 4
    assert h.applicants_by_kind == {"us_md": 1, "us_do": 2, "us_img": 0, "non_us_img": 1, "prior_grad": 0}
    assert h.applicants_with_rank_list == 3
    assert h.couples == 1
    assert h.supplemental_lists == 1
    assert h.programs_by_track["advanced"] == 1
    assert h.visa_sponsoring_programs == 1
