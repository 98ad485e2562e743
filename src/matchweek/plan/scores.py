"""Clinical-knowledge scores on one scale, whichever exam the applicant took."""

from __future__ import annotations

from collections.abc import Iterable

from matchweek.model import Exam, ExamResult

STEP2_EQUIVALENT_MEAN = 243.0
COMLEX_MEAN = 570.0
COMLEX_PER_STEP2_POINT = 85.0 / 14.0


def clinical_score(exams: Iterable[ExamResult]) -> float | None:
    """The clinical-knowledge score on the USMLE Step 2 CK scale, or None when none is scored.

    Step 2 CK when scored; otherwise COMLEX Level 2-CE read on the Step 2 CK scale
    as ``243 + (score − 570) × 14 / 85`` (the two exams' usual means and spreads).
    """
    exams = tuple(exams)
    for e in exams:
        if e.exam is Exam.USMLE_STEP2_CK and e.score is not None:
            return float(e.score)
    for e in exams:
        if e.exam is Exam.COMLEX_LEVEL2_CE and e.score is not None:
            return STEP2_EQUIVALENT_MEAN + (e.score - COMLEX_MEAN) / COMLEX_PER_STEP2_POINT
    return None
