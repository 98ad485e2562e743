"""The outcome of a Main Match."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MatchStatus(StrEnum):
    """An applicant's outcome of the Main Match, as the rule book defines it."""

    MATCHED = "matched"
    PARTIALLY_MATCHED = "partially_matched"
    UNMATCHED = "unmatched"


@dataclass(frozen=True, slots=True, order=True)
class Assignment:
    """One position held: an applicant in a program."""

    applicant: str
    program: str


@dataclass(frozen=True, slots=True)
class Instability:
    """A blocking pair or couple the engine could not remove.

    Exactly one of ``applicant`` and ``couple`` is set; ``programs`` names the
    program (or the pair of programs, for a couple) that would both prefer to
    be matched together.
    """

    programs: tuple[str | None, ...]
    applicant: str | None = None
    couple: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What the Main Match produced: positions held, statuses, unfilled positions.

    ``matches`` is sorted by applicant id then program code; ``unfilled`` names
    every program with open positions after reversions.
    """

    matches: tuple[Assignment, ...]
    statuses: dict[str, MatchStatus]
    unfilled: dict[str, int]
    instabilities: tuple[Instability, ...] = field(default=())
