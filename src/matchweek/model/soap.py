"""SOAP as data: a replayable script of a run, and what a run produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from matchweek.model.policy import Policy
from matchweek.model.program import Track, Visa


class SoapStatus(StrEnum):
    """An applicant's standing when SOAP starts."""

    UNMATCHED = "unmatched"
    PARTIALLY_MATCHED = "partially_matched"


class Holding(StrEnum):
    """What a partially matched applicant already holds from the Main Match."""

    ADVANCED = "advanced"
    PGY1 = "pgy1"


@dataclass(frozen=True, slots=True)
class SoapProgram:
    """A program taking part in SOAP with its positions still open."""

    code: str
    track: Track
    open: int
    specialty: str | None = None
    visa: tuple[Visa, ...] = ()
    state: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SoapApplicant:
    """A SOAP-eligible applicant; ``holds`` is set for partially matched ones."""

    id: str
    status: SoapStatus
    holds: Holding | None = None


@dataclass(frozen=True, slots=True, order=True)
class Application:
    """An application from an applicant to a program."""

    applicant: str
    program: str


@dataclass(frozen=True, slots=True)
class Response:
    """An applicant's answers to the offers of one round.

    ``accept`` holds one program code, or two (one PGY-1-only and one advanced)
    for an applicant that still needs both.
    """

    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScriptRound:
    """One round of a script: applications sent before it opens, lists certified, responses."""

    applications: tuple[Application, ...] = ()
    preference_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SoapScript:
    """A whole SOAP run as data, replayable by the SOAP engine."""

    programs: tuple[SoapProgram, ...]
    applicants: tuple[SoapApplicant, ...]
    applications: tuple[Application, ...] = ()
    rounds: tuple[ScriptRound, ...] = ()
    policy: Policy = field(default_factory=Policy)
    policy_overrides: frozenset[str] = frozenset()
    """Names of the policy values the script set itself (the rest are defaults)."""


@dataclass(frozen=True, slots=True, order=True)
class Offer:
    """An offer of a position from a program to an applicant (sorted program first)."""

    program: str
    applicant: str


@dataclass(frozen=True, slots=True)
class RoundOutcome:
    """What happened in one offer round; every list sorted by program then applicant."""

    round: int
    offers: tuple[Offer, ...] = ()
    accepted: tuple[Offer, ...] = ()
    rejected: tuple[Offer, ...] = ()
    expired: tuple[Offer, ...] = ()


@dataclass(frozen=True, slots=True)
class SoapMatch:
    """A position accepted in SOAP, and the round it was accepted in."""

    applicant: str
    program: str
    round: int


@dataclass(frozen=True, slots=True)
class SoapResult:
    """What a SOAP run produced."""

    rounds: tuple[RoundOutcome, ...]
    matches: tuple[SoapMatch, ...]
    unfilled: dict[str, int]
