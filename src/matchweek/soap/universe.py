"""Who and what takes part in SOAP after a Main Match (rule book §2)."""

from __future__ import annotations

from matchweek.model import (
    Holding,
    Market,
    MatchResult,
    MatchStatus,
    Policy,
    SoapProgram,
    SoapStatus,
    WeekTime,
)
from matchweek.soap.commands import SoapEntrant, StartSoap
from matchweek.soap.errors import RuleViolation
from matchweek.soap.positions import Kind, kind_of


def soap_universe(
    market: Market, match_result: MatchResult, policy: Policy, *, assume_opted_in: bool = True
) -> StartSoap:
    """The command that starts SOAP after ``match_result``, at the policy's status release.

    Programs: those opted in with positions left unfilled, each with that many
    open. ``Program.soap`` None (a market that does not record the choice)
    counts as opted in unless ``assume_opted_in`` is False. Applicants: every
    registered applicant (one in the market) left unmatched or partially
    matched, with what it holds, its verification and July-1 standing (the
    engine refuses applications until both hold) and its documents' ids.
    Programs and applicants keep the market's order.
    """
    programs = []
    for p in market.programs:
        opted_in = p.soap if p.soap is not None else assume_opted_in
        left = match_result.unfilled.get(p.code, 0)
        if opted_in and left > 0:
            programs.append(
                SoapProgram(
                    code=p.code,
                    track=p.track,
                    open=left,
                    specialty=p.specialty,
                    visa=p.visa,
                    state=p.state,
                    name=p.name,
                )
            )
    tracks = {p.code: p.track for p in market.programs}
    held: dict[str, set[Kind]] = {}
    for m in match_result.matches:
        track = tracks.get(m.program)
        if track is not None:
            held.setdefault(m.applicant, set()).add(kind_of(track))
    entrants = []
    for a in market.applicants:
        status = match_result.statuses.get(a.id)
        if status is MatchStatus.UNMATCHED:
            entry_status, holds = SoapStatus.UNMATCHED, None
        elif status is MatchStatus.PARTIALLY_MATCHED:
            entry_status, holds = SoapStatus.PARTIALLY_MATCHED, _holding(a.id, held.get(a.id, set()))
        else:
            continue
        entrants.append(
            SoapEntrant(
                id=a.id,
                status=entry_status,
                holds=holds,
                verified=a.verified,
                can_start_july_1=a.can_start_july_1,
                personal_statements=tuple(d.id for d in a.personal_statements),
                letters=tuple(d.id for d in a.letters),
            )
        )
    return StartSoap(
        at=WeekTime.parse(policy.status_release),
        programs=tuple(programs),
        applicants=tuple(entrants),
        policy=policy,
    )


def _holding(applicant: str, kinds: set[Kind]) -> Holding:
    if kinds == {Kind.ADVANCED}:
        return Holding.ADVANCED
    if kinds == {Kind.PGY1_ONLY}:
        return Holding.PGY1
    shown = ", ".join(sorted(k.value for k in kinds)) or "nothing"
    raise RuleViolation(
        "eligibility.partial_holding",
        "§2",
        f"partially matched but holds {shown}; a partial match holds one advanced or one PGY-1-only position",
        applicant=applicant,
    )
