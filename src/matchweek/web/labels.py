"""How the domain's codes read on the portal's pages."""

from __future__ import annotations

from matchweek.model import ApplicantKind, Exam, MatchStatus, RedFlag, Track
from matchweek.report.html import KIND_LABELS
from matchweek.soap import Kind, OfferStatus

TRACK_LABELS: dict[str, str] = {
    Track.CATEGORICAL.value: "Categorical",
    Track.PRELIMINARY.value: "Preliminary (PGY-1 only)",
    Track.TRANSITIONAL.value: "Transitional year (PGY-1 only)",
    Track.ADVANCED.value: "Advanced (starts PGY-2)",
    Track.RESERVED.value: "Reserved",
}

POSITION_KIND_LABELS: dict[str, str] = {
    Kind.FULL.value: "full training (categorical)",
    Kind.PGY1_ONLY.value: "PGY-1-only (preliminary or transitional)",
    Kind.ADVANCED.value: "advanced",
}

MATCH_STATUS_LABELS: dict[str, str] = {
    MatchStatus.MATCHED.value: "Matched",
    MatchStatus.PARTIALLY_MATCHED.value: "Partially matched",
    MatchStatus.UNMATCHED.value: "Unmatched",
}

OFFER_STATUS_LABELS: dict[str, str] = {
    OfferStatus.OPEN.value: "Open",
    OfferStatus.ACCEPTED.value: "Accepted",
    OfferStatus.REJECTED.value: "Rejected",
    OfferStatus.EXPIRED.value: "Expired",
}

EXAM_LABELS: dict[str, str] = {
    Exam.USMLE_STEP1.value: "USMLE Step 1",
    Exam.USMLE_STEP2_CK.value: "USMLE Step 2 CK",
    Exam.USMLE_STEP3.value: "USMLE Step 3",
    Exam.COMLEX_LEVEL1.value: "COMLEX Level 1",
    Exam.COMLEX_LEVEL2_CE.value: "COMLEX Level 2-CE",
}

RED_FLAG_LABELS: dict[str, str] = {
    RedFlag.PROFESSIONALISM.value: "professionalism",
    RedFlag.LEAVE_OF_ABSENCE.value: "leave of absence",
    RedFlag.REMEDIATION.value: "remediation",
    RedFlag.PRIOR_DISMISSAL.value: "prior dismissal",
}

APPLICANT_KIND_LABELS: dict[str, str] = {k.value: KIND_LABELS[k.value] for k in ApplicantKind}


def label(table: dict[str, str], code: str | None) -> str:
    """The label of ``code`` in ``table``; the code itself when it has none, "–" for None."""
    if code is None:
        return "–"
    return table.get(code, code)
