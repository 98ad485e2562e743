"""The state of a SOAP run: the fold of its events, with per-program and per-applicant indexes.

:func:`apply` folds one event into a state in place (and returns it), so a run
costs O(1) per event; :func:`replay` folds a whole log into a fresh state.
Replaying the log of a live run reproduces its state exactly (``==``). The
query functions at the bottom are what actors may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from matchweek.model import (
    Holding,
    Offer,
    Policy,
    RoundOutcome,
    SoapMatch,
    SoapProgram,
    SoapResult,
    SoapStatus,
    Track,
    WeekTime,
)
from matchweek.soap.events import (
    ApplicantVerified,
    ApplicationSubmitted,
    Event,
    OfferAccepted,
    OfferExpired,
    OfferExtended,
    OfferRejected,
    PreferenceListCertified,
    RoundClosed,
    RoundOpened,
    SoapEnded,
    SoapStarted,
    StatusReleased,
    UnfilledListPublished,
)
from matchweek.soap.positions import Kind, held_kind, kind_of, needs


class OfferStatus(StrEnum):
    """Where an offer stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(slots=True)
class ProgramLedger:
    """One participating program: positions, applicants, preference lists and offers."""

    code: str
    track: Track
    kind: Kind
    positions: int
    info: SoapProgram
    applicants: dict[str, None] = field(default_factory=dict)
    """Applicants who applied, in order of arrival (a dict as an ordered set)."""
    certified: tuple[str, ...] = ()
    """The latest certified preference list; used by the next round that opens."""
    in_force: tuple[str, ...] = ()
    """The list the last opened round used."""
    cursor: int = 0
    """Entries of ``certified`` before this index can never receive an offer again."""
    offered: set[str] = field(default_factory=set)
    """Every applicant this program has ever offered a position to."""
    outstanding: set[str] = field(default_factory=set)
    accepted: list[str] = field(default_factory=list)

    @property
    def open_positions(self) -> int:
        """Positions neither accepted nor promised by an outstanding offer."""
        return self.positions - len(self.accepted) - len(self.outstanding)


@dataclass(slots=True)
class ApplicantLedger:
    """One entrant: standing, documents, applications, holdings and offers."""

    id: str
    status: SoapStatus
    main_holding: Holding | None
    verified: bool
    can_start_july_1: bool
    personal_statements: frozenset[str]
    letters: frozenset[str]
    holds: frozenset[Kind]
    needs: frozenset[Kind]
    """The kinds of position it may still take (§5); follows ``holds``."""
    applications: dict[str, None] = field(default_factory=dict)
    open_offers: set[str] = field(default_factory=set)
    offers: list[str] = field(default_factory=list)
    """Programs that offered a position, in the order the offers came."""
    accepted: list[str] = field(default_factory=list)
    """Programs whose SOAP offers the applicant accepted."""


@dataclass(slots=True)
class OfferRecord:
    """One offer and where it stands."""

    program: str
    applicant: str
    round: int
    status: OfferStatus = OfferStatus.OPEN
    automatic: bool = False
    """Set on an offer rejected because an acceptance made it unneeded."""


@dataclass(slots=True)
class RoundLedger:
    """What happened in one round, in event order."""

    number: int
    opened: WeekTime
    closed: WeekTime | None = None
    offers: list[Offer] = field(default_factory=list)
    accepted: list[Offer] = field(default_factory=list)
    rejected: list[Offer] = field(default_factory=list)
    expired: list[Offer] = field(default_factory=list)


@dataclass(slots=True)
class SoapState:
    """Everything a SOAP run has established; build it only by folding events."""

    started: bool = False
    policy: Policy | None = None
    clock: WeekTime | None = None
    status_released: bool = False
    list_published: bool = False
    ended: bool = False
    programs: dict[str, ProgramLedger] = field(default_factory=dict)
    program_order: tuple[str, ...] = ()
    applicants: dict[str, ApplicantLedger] = field(default_factory=dict)
    offers: dict[tuple[str, str], OfferRecord] = field(default_factory=dict)
    """Every offer ever made, by (program, applicant)."""
    rounds: list[RoundLedger] = field(default_factory=list)
    round_open: bool = False
    matches: list[SoapMatch] = field(default_factory=list)

    @property
    def current_round(self) -> int:
        """The number of the last round opened (0 before the first)."""
        return len(self.rounds)


def apply(state: SoapState, event: Event) -> SoapState:
    """Fold ``event`` into ``state`` in place and return it. Events are trusted: they passed the rules."""
    _FOLDS[type(event)](state, event)
    at = getattr(event, "at", None)
    if at is not None:
        state.clock = at
    return state


def replay(events: Iterable[Event]) -> SoapState:
    """The state a log of events leads to, from nothing."""
    state = SoapState()
    for event in events:
        apply(state, event)
    return state


def _started(state: SoapState, e: SoapStarted) -> None:
    state.started = True
    state.policy = e.policy
    for p in e.programs:
        state.programs[p.code] = ProgramLedger(p.code, p.track, kind_of(p.track), p.open, p)
    state.program_order = tuple(sorted(state.programs))
    for a in e.applicants:
        held = frozenset({held_kind(a.holds)}) if a.holds is not None else frozenset()
        state.applicants[a.id] = ApplicantLedger(
            id=a.id,
            status=a.status,
            main_holding=a.holds,
            verified=a.verified,
            can_start_july_1=a.can_start_july_1,
            personal_statements=frozenset(a.personal_statements),
            letters=frozenset(a.letters),
            holds=held,
            needs=needs(held),
        )


def _verified(state: SoapState, e: ApplicantVerified) -> None:
    state.applicants[e.applicant].verified = True


def _status_released(state: SoapState, e: StatusReleased) -> None:
    state.status_released = True


def _list_published(state: SoapState, e: UnfilledListPublished) -> None:
    state.list_published = True


def _applied(state: SoapState, e: ApplicationSubmitted) -> None:
    state.applicants[e.applicant].applications[e.program] = None
    state.programs[e.program].applicants[e.applicant] = None


def _certified(state: SoapState, e: PreferenceListCertified) -> None:
    program = state.programs[e.program]
    program.certified = e.applicants
    program.cursor = 0


def _round_opened(state: SoapState, e: RoundOpened) -> None:
    state.rounds.append(RoundLedger(e.round, e.at))
    state.round_open = True
    for program in state.programs.values():
        program.in_force = program.certified


def _offer_extended(state: SoapState, e: OfferExtended) -> None:
    program = state.programs[e.program]
    applicant = state.applicants[e.applicant]
    program.offered.add(e.applicant)
    program.outstanding.add(e.applicant)
    applicant.open_offers.add(e.program)
    applicant.offers.append(e.program)
    state.offers[(e.program, e.applicant)] = OfferRecord(e.program, e.applicant, e.round)
    state.rounds[-1].offers.append(Offer(e.program, e.applicant))


def _resolve(state: SoapState, program_code: str, applicant_id: str, status: OfferStatus) -> None:
    state.programs[program_code].outstanding.discard(applicant_id)
    state.applicants[applicant_id].open_offers.discard(program_code)
    state.offers[(program_code, applicant_id)].status = status


def _offer_accepted(state: SoapState, e: OfferAccepted) -> None:
    _resolve(state, e.program, e.applicant, OfferStatus.ACCEPTED)
    program = state.programs[e.program]
    applicant = state.applicants[e.applicant]
    program.accepted.append(e.applicant)
    applicant.accepted.append(e.program)
    applicant.holds = applicant.holds | {program.kind}
    applicant.needs = needs(applicant.holds)
    state.matches.append(SoapMatch(e.applicant, e.program, e.round))
    state.rounds[-1].accepted.append(Offer(e.program, e.applicant))


def _offer_rejected(state: SoapState, e: OfferRejected) -> None:
    _resolve(state, e.program, e.applicant, OfferStatus.REJECTED)
    state.offers[(e.program, e.applicant)].automatic = e.automatic
    state.rounds[-1].rejected.append(Offer(e.program, e.applicant))


def _offer_expired(state: SoapState, e: OfferExpired) -> None:
    _resolve(state, e.program, e.applicant, OfferStatus.EXPIRED)
    state.rounds[-1].expired.append(Offer(e.program, e.applicant))


def _round_closed(state: SoapState, e: RoundClosed) -> None:
    state.round_open = False
    state.rounds[-1].closed = e.at
    # Offers made and needs met only ever grow, so a list entry that is out of
    # reach now stays out of reach: later rounds start their walk past it.
    for program in state.programs.values():
        entries = program.certified
        i = program.cursor
        while i < len(entries) and not _reachable(state, program, entries[i]):
            i += 1
        program.cursor = i


def _ended(state: SoapState, e: SoapEnded) -> None:
    state.ended = True


def _reachable(state: SoapState, program: ProgramLedger, applicant_id: str) -> bool:
    """Whether ``program`` may still offer to the applicant in some later round (§5 "available")."""
    return applicant_id not in program.offered and program.kind in state.applicants[applicant_id].needs


_FOLDS: dict[type[Any], Callable[[SoapState, Any], None]] = {
    SoapStarted: _started,
    ApplicantVerified: _verified,
    StatusReleased: _status_released,
    UnfilledListPublished: _list_published,
    ApplicationSubmitted: _applied,
    PreferenceListCertified: _certified,
    RoundOpened: _round_opened,
    OfferExtended: _offer_extended,
    OfferAccepted: _offer_accepted,
    OfferRejected: _offer_rejected,
    OfferExpired: _offer_expired,
    RoundClosed: _round_closed,
    SoapEnded: _ended,
}


def available(state: SoapState, program_code: str, applicant_id: str) -> bool:
    """Whether the applicant is available to the program (§5): it still needs the program's kind
    of position and was never before offered one by this program."""
    return _reachable(state, state.programs[program_code], applicant_id)


# --- queries: what each actor may see ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferView:
    """An offer as its applicant sees it."""

    program: str
    round: int
    status: OfferStatus


@dataclass(frozen=True, slots=True)
class ProgramStanding:
    """A program's standing: positions, acceptances, outstanding offers and preference lists."""

    code: str
    positions: int
    accepted: tuple[str, ...]
    outstanding: tuple[str, ...]
    open: int
    certified: tuple[str, ...]
    in_force: tuple[str, ...]


def visible_programs(state: SoapState, applicant: str) -> tuple[str, ...]:
    """Codes of the programs on the List of Unfilled Programs this applicant may see (§2, §4), sorted.

    Nothing before the list is published or for an applicant that is not eligible
    (unknown, unverified, unable to start July 1); a partially matched applicant
    sees only the complementary kind of position; one that needs nothing sees nothing.
    """
    a = state.applicants.get(applicant)
    if a is None or not state.list_published or not (a.verified and a.can_start_july_1):
        return ()
    wanted = a.needs
    return tuple(code for code in state.program_order if state.programs[code].kind in wanted)


def applicants_of(state: SoapState, program: str) -> tuple[str, ...]:
    """Ids of the applicants who applied to ``program`` (all a program may see, §4), in order of arrival."""
    p = state.programs.get(program)
    return tuple(p.applicants) if p is not None else ()


def offers_of(state: SoapState, applicant: str) -> tuple[OfferView, ...]:
    """Every offer the applicant received, in the order received, with where each stands."""
    a = state.applicants.get(applicant)
    if a is None:
        return ()
    return tuple(
        OfferView(code, state.offers[(code, applicant)].round, state.offers[(code, applicant)].status)
        for code in a.offers
    )


def round_state(state: SoapState, program: str) -> ProgramStanding:
    """The program's standing now; raises KeyError for a program not taking part."""
    p = state.programs[program]
    return ProgramStanding(
        code=p.code,
        positions=p.positions,
        accepted=tuple(p.accepted),
        outstanding=tuple(sorted(p.outstanding)),
        open=p.open_positions,
        certified=p.certified,
        in_force=p.in_force,
    )


def unfilled_positions(state: SoapState) -> dict[str, int]:
    """Open positions by program code, sorted by code; programs without any are left out (§6's live list)."""
    out: dict[str, int] = {}
    for code in state.program_order:
        p = state.programs[code]
        left = p.positions - len(p.accepted)
        if left > 0:
            out[code] = left
    return out


def soap_result(state: SoapState) -> SoapResult:
    """The run's outcome: each round's offers and answers, the matches and what stays unfilled.

    Every list is sorted by program code, then applicant id.
    """
    rounds = tuple(
        RoundOutcome(
            round=r.number,
            offers=tuple(sorted(r.offers)),
            accepted=tuple(sorted(r.accepted)),
            rejected=tuple(sorted(r.rejected)),
            expired=tuple(sorted(r.expired)),
        )
        for r in state.rounds
    )
    matches = tuple(sorted(state.matches, key=lambda m: (m.program, m.applicant)))
    return SoapResult(rounds=rounds, matches=matches, unfilled=unfilled_positions(state))
