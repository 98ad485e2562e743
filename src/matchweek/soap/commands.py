"""Commands to the SOAP engine: what an actor asks the clearinghouse to do, and when.

Every command carries the clearinghouse time it happens at. The engine checks a
command against the rule book and either returns the events it produces or
raises a :class:`~matchweek.soap.errors.RuleViolation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchweek.model import Holding, Policy, SoapProgram, SoapStatus, WeekTime


@dataclass(frozen=True, slots=True)
class SoapEntrant:
    """An applicant registered for the Match who is unmatched or partially matched when SOAP starts.

    ``holds`` says what a partially matched applicant holds from the Main Match.
    ``verified`` and ``can_start_july_1`` are the other §2 conditions; an
    entrant failing one may not apply until it is met (verification may still
    arrive during the week). ``personal_statements`` and ``letters`` are the ids
    of the documents the applicant may attach to applications.
    """

    id: str
    status: SoapStatus
    holds: Holding | None = None
    verified: bool = True
    can_start_july_1: bool = True
    personal_statements: tuple[str, ...] = ()
    letters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StartSoap:
    """Open SOAP's books: the participating programs and their open positions, the entrants, the policy."""

    at: WeekTime
    programs: tuple[SoapProgram, ...]
    applicants: tuple[SoapEntrant, ...]
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True, slots=True)
class RecordVerification:
    """The school (or ECFMG) verifies an applicant's eligibility."""

    at: WeekTime
    applicant: str


@dataclass(frozen=True, slots=True)
class ReleaseStatus:
    """Match status (matched / partially matched / unmatched) goes out to applicants."""

    at: WeekTime


@dataclass(frozen=True, slots=True)
class PublishUnfilledList:
    """The List of Unfilled Programs goes out to eligible applicants; applications open."""

    at: WeekTime


@dataclass(frozen=True, slots=True)
class SubmitApplication:
    """An applicant applies to a program, optionally naming the documents it attaches.

    Without documents (``personal_statement`` None and no ``letters``) no
    document rule applies; naming any document brings in every document rule.
    """

    at: WeekTime
    applicant: str
    program: str
    personal_statement: str | None = None
    letters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CertifyPreferenceList:
    """A program certifies its ordered preference list; it is used from the next round that opens."""

    at: WeekTime
    program: str
    applicants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenRound:
    """The clearinghouse opens an offer round and extends its offers."""

    at: WeekTime
    round: int


@dataclass(frozen=True, slots=True)
class Accept:
    """An applicant accepts one offer, or two (one PGY-1-only and one advanced)."""

    at: WeekTime
    applicant: str
    programs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reject:
    """An applicant rejects one or more of its open offers."""

    at: WeekTime
    applicant: str
    programs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CloseRound:
    """The clearinghouse closes the open round; unanswered offers expire."""

    at: WeekTime
    round: int


@dataclass(frozen=True, slots=True)
class EndSoap:
    """SOAP ends; what is still unfilled goes on the live list."""

    at: WeekTime


Command = (
    StartSoap
    | RecordVerification
    | ReleaseStatus
    | PublishUnfilledList
    | SubmitApplication
    | CertifyPreferenceList
    | OpenRound
    | Accept
    | Reject
    | CloseRound
    | EndSoap
)
