"""A small, hand-made SOAP world for the store's tests, and a whole SOAP played on it.

``start_command()`` opens SOAP with a dozen programs of every kind and sixty
entrants (some partially matched, one unverified). ``reference_run()`` plays a
full SOAP on it with the pure engine — applications, certified lists, four
rounds of offers with acceptances, rejections and expiries — and returns every
command in order together with the events each produced, so a test can run
the same commands through a store and compare logs exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from matchweek.model import Holding, Policy, SoapProgram, SoapStatus, Track, Visa, WeekTime
from matchweek.soap import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    Event,
    OpenRound,
    PublishUnfilledList,
    Reject,
    ReleaseStatus,
    SoapEngine,
    SoapEntrant,
    SoapState,
    StartSoap,
    SubmitApplication,
    visible_programs,
)

POLICY = Policy()
STATUS_AT = WeekTime.parse(POLICY.status_release)
LIST_AT = WeekTime.parse(POLICY.list_release)
REVIEW_AT = WeekTime.parse(POLICY.review_start)
ROUNDS = POLICY.round_times()
END_AT = WeekTime.parse(POLICY.soap_end)

_TRACKS = (Track.CATEGORICAL, Track.PRELIMINARY, Track.ADVANCED, Track.TRANSITIONAL)


def programs() -> tuple[SoapProgram, ...]:
    """Twelve programs P01..P12, tracks cycling categorical, preliminary, advanced, transitional."""
    out = []
    for i in range(1, 13):
        track = _TRACKS[(i - 1) % len(_TRACKS)]
        out.append(
            SoapProgram(
                code=f"P{i:02d}",
                track=track,
                open=1 + i % 3,
                specialty="Internal Medicine" if i % 2 else "Family Medicine",
                visa=(Visa.J1,) if i % 4 == 0 else (),
                state="OH" if i <= 6 else "PA",
                name=f"Program {i}",
            )
        )
    return tuple(out)


def entrants() -> tuple[SoapEntrant, ...]:
    """Sixty entrants A001..A060: every seventh partially matched, A060 not yet verified."""
    out = []
    for i in range(1, 61):
        partial = i % 7 == 0
        out.append(
            SoapEntrant(
                id=f"A{i:03d}",
                status=SoapStatus.PARTIALLY_MATCHED if partial else SoapStatus.UNMATCHED,
                holds=(Holding.ADVANCED if i % 2 else Holding.PGY1) if partial else None,
                verified=i != 60,
                personal_statements=(f"A{i:03d}-PS1", f"A{i:03d}-PS2"),
                letters=tuple(f"A{i:03d}-L{k}" for k in range(1, 6)),
            )
        )
    return tuple(out)


def start_command(policy: Policy = POLICY) -> StartSoap:
    """The command that opens SOAP on this world."""
    return StartSoap(WeekTime.parse(policy.status_release), programs(), entrants(), policy)


def applications(state: SoapState, at: WeekTime, per_applicant: int, offset: int) -> list[SubmitApplication]:
    """Up to ``per_applicant`` new applications from each entrant that may apply, documents attached."""
    out = []
    for applicant in sorted(state.applicants):
        ledger = state.applicants[applicant]
        if ledger.accepted:
            continue
        visible = [code for code in visible_programs(state, applicant) if code not in ledger.applications]
        number = int(applicant[1:])
        chosen = [
            visible[(number + offset + k) % len(visible)] for k in range(min(per_applicant, len(visible)))
        ]
        for code in dict.fromkeys(chosen):
            out.append(
                SubmitApplication(
                    at,
                    applicant,
                    code,
                    personal_statement=f"{applicant}-PS{1 + number % 2}",
                    letters=tuple(f"{applicant}-L{k}" for k in range(1, 2 + number % 4)),
                )
            )
    return out


def preference_lists(state: SoapState, at: WeekTime) -> list[CertifyPreferenceList]:
    """Each program with applicants ranks them by id, most recent applicants last."""
    out = []
    for code in state.program_order:
        applied = list(state.programs[code].applicants)
        if applied:
            ranked = sorted(applied, key=lambda a: (int(a[1:]) % 5, a))
            out.append(CertifyPreferenceList(at, code, tuple(ranked)))
    return out


def responses(state: SoapState, at: WeekTime, round_number: int) -> list[Command]:
    """Applicants answer their open offers: most accept the first (some after rejecting another),
    every fifth rejects them all, every seventh lets them expire."""
    out: list[Command] = []
    for applicant in sorted(state.applicants):
        open_offers = sorted(state.applicants[applicant].open_offers)
        if not open_offers:
            continue
        number = int(applicant[1:])
        if (number + round_number) % 7 == 0:
            continue
        if (number + round_number) % 5 == 0:
            out.append(Reject(at, applicant, tuple(open_offers)))
            continue
        if len(open_offers) > 1 and number % 3 == 0:
            out.append(Reject(at, applicant, (open_offers[-1],)))
            open_offers = open_offers[:-1]
        out.append(Accept(at, applicant, (open_offers[0],)))
    return out


def plan(engine: SoapEngine) -> Iterator[Command]:
    """The whole SOAP, each command decided from the engine's state after the previous ones ran."""
    yield start_command()
    yield ReleaseStatus(STATUS_AT)
    yield PublishUnfilledList(LIST_AT)
    yield from applications(engine.state, LIST_AT, 3, 0)
    between = REVIEW_AT
    for times in ROUNDS:
        yield from applications(engine.state, between, 1, times.number)
        yield from preference_lists(engine.state, between)
        yield OpenRound(times.opens, times.number)
        answer_at = times.opens.plus(30)
        yield from responses(engine.state, answer_at, times.number)
        yield CloseRound(times.closes, times.number)
        between = times.closes
    yield EndSoap(END_AT)


@dataclass(frozen=True)
class ReferenceRun:
    """Every command of the reference SOAP, the events each produced, and the final state."""

    commands: tuple[Command, ...]
    events: tuple[tuple[Event, ...], ...]
    state: SoapState

    @property
    def log(self) -> list[Event]:
        """All events in order."""
        return [e for produced in self.events for e in produced]

    def boundaries(self) -> list[int]:
        """Log lengths at which a command's events end: 0, then after each command."""
        out = [0]
        for produced in self.events:
            out.append(out[-1] + len(produced))
        return out


def reference_run() -> ReferenceRun:
    """Play :func:`plan` on the pure engine; every command must be accepted."""
    engine = SoapEngine()
    commands: list[Command] = []
    events: list[tuple[Event, ...]] = []
    for command in plan(engine):
        events.append(tuple(engine.execute(command)))
        commands.append(command)
    return ReferenceRun(tuple(commands), tuple(events), engine.state)
