"""Applicants: who they are, what programs screen on, and what they ranked."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

import msgspec

from matchweek.model.program import Visa

Text = Annotated[str, msgspec.Meta(min_length=1)]
"""A string that must not be empty (checked where files are decoded)."""


class ApplicantKind(StrEnum):
    """The applicant groups the Match reports on."""

    US_MD = "us_md"
    US_DO = "us_do"
    US_IMG = "us_img"
    NON_US_IMG = "non_us_img"
    PRIOR_GRAD = "prior_grad"

    @property
    def is_img(self) -> bool:
        """International medical graduates (US citizens or not)."""
        return self in (ApplicantKind.US_IMG, ApplicantKind.NON_US_IMG)


class Exam(StrEnum):
    """Licensing exams programs screen on."""

    USMLE_STEP1 = "usmle_step1"
    USMLE_STEP2_CK = "usmle_step2_ck"
    USMLE_STEP3 = "usmle_step3"
    COMLEX_LEVEL1 = "comlex_level1"
    COMLEX_LEVEL2_CE = "comlex_level2_ce"


class RedFlag(StrEnum):
    """Items in a file that program directors treat as red flags."""

    PROFESSIONALISM = "professionalism"
    LEAVE_OF_ABSENCE = "leave_of_absence"
    REMEDIATION = "remediation"
    PRIOR_DISMISSAL = "prior_dismissal"


class ExamResult(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One licensing exam: whether it is passed, its score if scored, and attempts taken.

    A msgspec Struct (immutable, compared by value, like the dataclasses here) so that a
    market file's exams are decoded straight into it.
    """

    exam: Exam
    passed: bool
    attempts: int = 1
    score: int | None = None

    @property
    def failures(self) -> int:
        """Failed attempts: every attempt but the passing one."""
        return self.attempts - 1 if self.passed else self.attempts


class Document(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A personal statement or a letter of recommendation, written for a specialty.

    A msgspec Struct, like ``ExamResult``; its texts must not be empty.
    """

    id: Text
    specialty: Text
    author: Text | None = None


@dataclass(frozen=True, slots=True)
class RankEntry:
    """One line of an applicant's rank order list.

    ``supplemental`` names one of the applicant's supplemental lists and may be
    set only on an advanced program: that list of PGY-1 programs is consulted
    while the applicant holds this advanced program.
    """

    program: str
    supplemental: str | None = None


@dataclass(frozen=True, slots=True)
class Applicant:
    """A graduate in the Match, with the facts programs screen on.

    Only ``id`` and ``rank_list`` matter to the Main Match; the rest feeds SOAP
    eligibility, program triage and applicant planning. ``visa_need`` is None
    when the applicant needs no visa. ``us_clinical_months`` counts months of
    US clinical experience; ``ties`` are states the applicant has ties to.
    """

    id: str
    kind: ApplicantKind | None = None
    rank_list: tuple[RankEntry, ...] = ()
    supplemental_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    graduation_year: int | None = None
    visa_need: Visa | None = None
    verified: bool = True
    can_start_july_1: bool = True
    us_clinical_months: int | None = None
    exams: tuple[ExamResult, ...] = ()
    personal_statements: tuple[Document, ...] = ()
    letters: tuple[Document, ...] = ()
    ties: tuple[str, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    home_institution: str | None = None

    @property
    def exam_failures(self) -> int:
        """Failed exam attempts across all licensing exams."""
        return sum(e.failures for e in self.exams)

    @property
    def ranked_programs(self) -> tuple[str, ...]:
        """Program codes on the primary rank list, in order."""
        return tuple(e.program for e in self.rank_list)


@dataclass(frozen=True, slots=True)
class Couple:
    """Two applicants who rank pairs of programs jointly.

    Each pair is ``(program for members[0], program for members[1])``; None on
    one side means "no match" for that partner (never on both sides).
    """

    members: tuple[str, str]
    rank_list: tuple[tuple[str | None, str | None], ...] = ()
