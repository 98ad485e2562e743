"""What a program sees: its own standing, the applicants who applied to it, its preference list and offers.

Every function takes one program code the caller manages; nothing here reveals an
applicant who did not apply to that program, where else an applicant applied, or
another program's list or offers (§4, §5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from matchweek.model import Applicant, Exam, WeekTime
from matchweek.soap import SoapState, applicants_of, round_state
from matchweek.web.catalogue import Catalogue
from matchweek.web.labels import APPLICANT_KIND_LABELS
from matchweek.web.schedule import next_round_opening
from matchweek.web.schemas import (
    ApplicantDetailOut,
    ApplicantRowOut,
    ApplicantTableOut,
    DocumentOut,
    ExamOut,
    PreferenceListOut,
    ProgramOfferOut,
    ProgramOut,
    RoundStatusOut,
)

APPLICANT_SORTS: dict[str, str] = {
    "id": "applicant id",
    "kind": "applicant kind",
    "score": "best Step 2 / Level 2 score",
    "failures": "exam failures",
    "graduation_year": "graduation year",
    "clinical": "US clinical months",
    "rank": "place on the certified list",
}
"""The orders the applicant table can be sorted in, by key."""

VISA_FILTERS = ("none", "J-1", "H-1B", "any")
"""Visa-need filter values: needs none, needs a J-1, needs an H-1B, needs some visa."""

_SCORED_EXAMS = (Exam.USMLE_STEP2_CK, Exam.COMLEX_LEVEL2_CE)


@dataclass(frozen=True, slots=True)
class ApplicantFilter:
    """Filters and order for a program's applicant table; None (or False) means no filter."""

    kind: str | None = None
    visa: str | None = None
    max_failures: int | None = None
    min_score: int | None = None
    min_graduation_year: int | None = None
    ties_only: bool = False
    no_red_flags: bool = False
    sort: str = "id"
    descending: bool = False


def program_summary(state: SoapState, code: str) -> ProgramOut:
    """A program's standing now; ``code`` must be a program taking part in SOAP."""
    ledger = state.programs[code]
    info = ledger.info
    return ProgramOut(
        code=code,
        name=info.name,
        specialty=info.specialty,
        track=info.track.value,
        state=info.state,
        visa=[v.value for v in info.visa],
        positions=ledger.positions,
        open=ledger.open_positions,
        accepted=len(ledger.accepted),
        applicants=len(ledger.applicants),
    )


def best_score(applicant: Applicant) -> int | None:
    """The best Step 2 CK or Level 2-CE score, the score programs screen on most."""
    scores = [e.score for e in applicant.exams if e.exam in _SCORED_EXAMS and e.score is not None]
    return max(scores) if scores else None


def applicant_row(
    state: SoapState, catalogue: Catalogue | None, code: str, applicant: str
) -> ApplicantRowOut:
    """The applicant as this program's table shows it (the applicant must have applied to it)."""
    entrant = state.applicants[applicant]
    person = catalogue.applicants.get(applicant) if catalogue is not None else None
    ledger = state.programs[code]
    offer = state.offers.get((code, applicant))
    certified = ledger.certified
    program_state = ledger.info.state
    ties = list(person.ties) if person is not None else []
    return ApplicantRowOut(
        id=applicant,
        kind=person.kind.value if person is not None and person.kind is not None else None,
        soap_status=entrant.status.value,  # type: ignore[arg-type]
        exams=[
            ExamOut(exam=e.exam.value, passed=e.passed, attempts=e.attempts, score=e.score)
            for e in (person.exams if person is not None else ())
        ],
        best_score=best_score(person) if person is not None else None,
        exam_failures=person.exam_failures if person is not None else 0,
        graduation_year=person.graduation_year if person is not None else None,
        visa_need=person.visa_need.value if person is not None and person.visa_need is not None else None,
        us_clinical_months=person.us_clinical_months if person is not None else None,
        ties=ties,
        tie_to_program_state=program_state is not None and program_state in ties,
        red_flags=[f.value for f in person.red_flags] if person is not None else [],
        offer_status=offer.status.value if offer is not None else None,  # type: ignore[arg-type]
        list_rank=certified.index(applicant) + 1 if applicant in certified else None,
    )


def row_summary(row: ApplicantRowOut) -> str:
    """One line of an applicant's screening facts: kind, best score, exam failures, visa need, red flags."""
    parts = [APPLICANT_KIND_LABELS.get(row.kind or "", "kind not given")]
    if row.best_score is not None:
        parts.append(f"score {row.best_score}")
    if row.exam_failures:
        parts.append(f"{row.exam_failures} exam failure{'s' if row.exam_failures > 1 else ''}")
    parts.append(f"needs {row.visa_need}" if row.visa_need else "no visa needed")
    if row.red_flags:
        parts.append(f"{len(row.red_flags)} red flag{'s' if len(row.red_flags) > 1 else ''}")
    return " · ".join(parts)


def applicant_table(
    state: SoapState, catalogue: Catalogue | None, code: str, wanted: ApplicantFilter
) -> ApplicantTableOut:
    """The applicants who applied to ``code``, with the fields programs screen on, filtered and sorted."""
    rows = [applicant_row(state, catalogue, code, a) for a in applicants_of(state, code)]
    chosen = _sorted_rows(_filtered_rows(rows, wanted), wanted)
    return ApplicantTableOut(program=code, applicants=chosen, total=len(rows))


def _filtered_rows(rows: Iterable[ApplicantRowOut], f: ApplicantFilter) -> list[ApplicantRowOut]:
    out = []
    for r in rows:
        if f.kind and r.kind != f.kind:
            continue
        if f.visa == "none" and r.visa_need is not None:
            continue
        if f.visa == "any" and r.visa_need is None:
            continue
        if f.visa in ("J-1", "H-1B") and r.visa_need != f.visa:
            continue
        if f.max_failures is not None and r.exam_failures > f.max_failures:
            continue
        if f.min_score is not None and (r.best_score is None or r.best_score < f.min_score):
            continue
        if f.min_graduation_year is not None and (
            r.graduation_year is None or r.graduation_year < f.min_graduation_year
        ):
            continue
        if f.ties_only and not r.tie_to_program_state:
            continue
        if f.no_red_flags and r.red_flags:
            continue
        out.append(r)
    return out


def _sorted_rows(rows: list[ApplicantRowOut], f: ApplicantFilter) -> list[ApplicantRowOut]:
    # Missing values sort last; the id breaks ties so the order is total.
    key: Callable[[ApplicantRowOut], tuple[object, ...]]
    if f.sort == "kind":
        key = lambda r: (r.kind is None, r.kind or "", r.id)  # noqa: E731
    elif f.sort == "score":
        key = lambda r: (r.best_score is None, r.best_score or 0, r.id)  # noqa: E731
    elif f.sort == "failures":
        key = lambda r: (r.exam_failures, r.id)  # noqa: E731
    elif f.sort == "graduation_year":
        key = lambda r: (r.graduation_year is None, r.graduation_year or 0, r.id)  # noqa: E731
    elif f.sort == "clinical":
        key = lambda r: (r.us_clinical_months is None, r.us_clinical_months or 0, r.id)  # noqa: E731
    elif f.sort == "rank":
        key = lambda r: (r.list_rank is None, r.list_rank or 0, r.id)  # noqa: E731
    else:
        key = lambda r: (r.id,)  # noqa: E731
    ordered = sorted(rows, key=key)
    if f.descending:
        ordered.reverse()
    return ordered


def applicant_detail(
    state: SoapState,
    catalogue: Catalogue | None,
    code: str,
    applicant: str,
    personal_statement: str | None,
    letters: Iterable[str],
    submitted_at: WeekTime | None,
) -> ApplicantDetailOut:
    """The applicant's file with the documents it attached to its application to ``code``."""

    def doc(doc_id: str, kind: str) -> DocumentOut:
        found = catalogue.document(applicant, doc_id) if catalogue is not None else None
        return DocumentOut(
            id=doc_id,
            kind=kind,  # type: ignore[arg-type]
            specialty=found.specialty if found is not None else "–",
            author=found.author if found is not None else None,
        )

    return ApplicantDetailOut(
        applicant=applicant_row(state, catalogue, code, applicant),
        personal_statement=doc(personal_statement, "personal_statement") if personal_statement else None,
        letters=[doc(x, "letter") for x in letters],
        submitted_at=str(submitted_at) if submitted_at is not None else None,
    )


def preference_list(
    state: SoapState, code: str, wall_time_of: Callable[[WeekTime], datetime]
) -> PreferenceListOut:
    """The program's certified list, the list in force, and when the next round opens."""
    standing = round_state(state, code)
    upcoming = next_round_opening(state.policy, state) if state.policy is not None else None
    return PreferenceListOut(
        program=code,
        certified=list(standing.certified),
        in_force=list(standing.in_force),
        next_round=upcoming[0] if upcoming is not None else None,
        certify_by=str(upcoming[1]) if upcoming is not None else None,
        certify_by_utc=wall_time_of(upcoming[1]) if upcoming is not None else None,
    )


def round_status(state: SoapState, code: str) -> RoundStatusOut:
    """The program's offers (out, accepted, rejected, expired) and its positions still open."""
    standing = round_state(state, code)
    ledger = state.programs[code]
    records = sorted(
        (state.offers[(code, who)] for who in ledger.offered), key=lambda r: (r.round, r.applicant)
    )
    counts = {"open": 0, "accepted": 0, "rejected": 0, "expired": 0}
    for r in records:
        counts[r.status.value] += 1
    return RoundStatusOut(
        program=code,
        current_round=state.current_round,
        round_open=state.round_open,
        positions=standing.positions,
        open=standing.open,
        offers_out=counts["open"],
        accepted=counts["accepted"],
        rejected=counts["rejected"],
        expired=counts["expired"],
        offers=[
            ProgramOfferOut(applicant=r.applicant, round=r.round, status=r.status.value)  # type: ignore[arg-type]
            for r in records
        ],
    )


def addable_applicants(state: SoapState, code: str, listed: Iterable[str]) -> list[str]:
    """Applicants who applied to ``code`` and are not on ``listed``, in order of arrival."""
    on_list = set(listed)
    return [a for a in applicants_of(state, code) if a not in on_list]
