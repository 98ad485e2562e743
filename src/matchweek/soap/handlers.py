"""The SOAP rules: ``handle(state, command)`` checks a command and returns the events it produces.

``handle`` is pure: it reads the state and never changes it. A command that
breaks a rule raises :class:`RuleViolation` naming the rule, its rule book
section and the record at fault, and produces nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from matchweek.model import Policy, RoundTimes, SoapStatus, WeekTime
from matchweek.soap.commands import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    OpenRound,
    PublishUnfilledList,
    RecordVerification,
    Reject,
    ReleaseStatus,
    StartSoap,
    SubmitApplication,
)
from matchweek.soap.errors import RuleViolation
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
from matchweek.soap.positions import Kind, is_pair, needs
from matchweek.soap.state import ApplicantLedger, OfferStatus, SoapState

_KIND_WORDS = {Kind.FULL: "full-training", Kind.PGY1_ONLY: "PGY-1-only", Kind.ADVANCED: "advanced"}


def handle(state: SoapState, command: Command) -> list[Event]:
    """The events ``command`` produces in ``state``, or :class:`RuleViolation` if it breaks a rule.

    Never changes ``state``; fold the events with :func:`matchweek.soap.state.apply`.
    """
    decide = _DECISIONS.get(type(command))
    if decide is None:
        raise TypeError(f"not a SOAP command: {command!r}")
    if not isinstance(command, StartSoap):
        if not state.started:
            raise RuleViolation("schedule.not_started", "§3", "SOAP has not started")
        if state.ended:
            raise RuleViolation("schedule.ended", "§6", "SOAP has ended; its rules no longer take commands")
        assert state.clock is not None
        if command.at.minutes < state.clock.minutes:
            raise RuleViolation(
                "schedule.clock", "§3", f"time {command.at} comes before the last recorded time {state.clock}"
            )
    return decide(state, command)


# --- the week's steps --------------------------------------------------------------------------


def _start(state: SoapState, c: StartSoap) -> list[Event]:
    if state.started:
        raise RuleViolation("schedule.already_started", "§3", "SOAP has already started")
    codes: set[str] = set()
    for p in c.programs:
        if p.code in codes:
            raise RuleViolation("eligibility.program.duplicate", "§2", "program listed twice", program=p.code)
        codes.add(p.code)
        if p.open < 1:
            raise RuleViolation(
                "eligibility.program.unfilled",
                "§2",
                f"takes part only with unfilled positions, has {p.open}",
                program=p.code,
            )
    ids: set[str] = set()
    for a in c.applicants:
        if a.id in ids:
            raise RuleViolation(
                "eligibility.applicant.duplicate", "§2", "applicant listed twice", applicant=a.id
            )
        ids.add(a.id)
        if a.status is SoapStatus.PARTIALLY_MATCHED and a.holds is None:
            raise RuleViolation(
                "eligibility.partial_holding", "§2", "partially matched but holds no position", applicant=a.id
            )
        if a.status is SoapStatus.UNMATCHED and a.holds is not None:
            raise RuleViolation(
                "eligibility.partial_holding",
                "§2",
                f"unmatched but holds a {a.holds.value} position",
                applicant=a.id,
            )
    return [SoapStarted(c.at, c.policy, c.programs, c.applicants)]


def _verify(state: SoapState, c: RecordVerification) -> list[Event]:
    a = _entrant(state, c.applicant, "eligibility.unknown_applicant", "§2")
    if a.verified:
        raise RuleViolation("eligibility.already_verified", "§2", "already verified", applicant=a.id)
    return [ApplicantVerified(c.at, c.applicant)]


def _release_status(state: SoapState, c: ReleaseStatus) -> list[Event]:
    policy = _policy(state)
    if state.status_released:
        raise RuleViolation("schedule.status_release", "§3", "match status was already released")
    due = _time(policy.status_release)
    if c.at < due:
        raise RuleViolation("schedule.status_release", "§3", f"match status goes out at {due}, not {c.at}")
    return [StatusReleased(c.at)]


def _publish(state: SoapState, c: PublishUnfilledList) -> list[Event]:
    policy = _policy(state)
    if state.list_published:
        raise RuleViolation("schedule.list_release", "§3", "the List of Unfilled Programs is already out")
    if not state.status_released:
        raise RuleViolation(
            "schedule.list_release", "§3", "the List of Unfilled Programs follows the release of match status"
        )
    due = _time(policy.list_release)
    if c.at < due:
        raise RuleViolation(
            "schedule.list_release", "§3", f"the List of Unfilled Programs goes out at {due}, not {c.at}"
        )
    return [UnfilledListPublished(c.at)]


def _apply(state: SoapState, c: SubmitApplication) -> list[Event]:
    # The busiest command of a national SOAP (hundreds of thousands): checks kept lean.
    policy = state.policy
    assert policy is not None
    who = c.applicant
    if not state.list_published:
        raise RuleViolation(
            "schedule.apply_before_list",
            "§3",
            f"cannot apply to {c.program}: applications open with the List of Unfilled Programs",
            applicant=who,
            program=c.program,
        )
    if state.round_open:
        raise RuleViolation(
            "apply.during_round",
            "§4",
            f"cannot apply to {c.program} while round {state.current_round} is open; apply between rounds",
            applicant=who,
            program=c.program,
        )
    a = state.applicants.get(who)
    if a is None:
        a = _entrant(state, who, "eligibility.unknown_applicant", "§2")
    if not a.verified:
        raise RuleViolation(
            "eligibility.unverified",
            "§2",
            f"cannot apply to {c.program}: eligibility not verified",
            applicant=who,
            program=c.program,
        )
    if not a.can_start_july_1:
        raise RuleViolation(
            "eligibility.july_1",
            "§2",
            f"cannot apply to {c.program}: cannot start training on July 1",
            applicant=who,
            program=c.program,
        )
    if a.accepted:
        raise RuleViolation(
            "apply.after_acceptance",
            "§4",
            f"cannot apply to {c.program}: accepted {', '.join(a.accepted)}; "
            "no applications after an acceptance",
            applicant=who,
            program=c.program,
        )
    program = state.programs.get(c.program)
    if program is None:
        raise RuleViolation(
            "apply.not_on_list",
            "§4",
            f"cannot apply to {c.program}: not on the List of Unfilled Programs",
            applicant=who,
            program=c.program,
        )
    if program.kind not in a.needs:
        raise RuleViolation(
            "apply.not_visible",
            "§4",
            f"cannot apply to {c.program}: {_standing(a)} "
            f"and may not see {_KIND_WORDS[program.kind]} programs",
            applicant=who,
            program=c.program,
        )
    if c.program in a.applications:
        raise RuleViolation(
            "apply.duplicate", "§4", f"already applied to {c.program}", applicant=who, program=c.program
        )
    if len(a.applications) >= policy.max_applications:
        raise RuleViolation(
            "apply.cap",
            "§4",
            f"cannot apply to {c.program}: already sent {len(a.applications)} applications, "
            f"the most the policy allows",
            applicant=who,
            program=c.program,
        )
    if c.personal_statement is not None or c.letters:
        _check_documents(policy, a, c)
    return [ApplicationSubmitted(c.at, who, c.program, c.personal_statement, c.letters)]


def _check_documents(policy: Policy, a: ApplicantLedger, c: SubmitApplication) -> None:
    def refuse(rule: str, message: str) -> RuleViolation:
        return RuleViolation(
            rule, "§4", f"application to {c.program}: {message}", applicant=a.id, program=c.program
        )

    wanted = policy.personal_statements_per_application
    if c.personal_statement is None and wanted > 0:
        raise refuse("apply.documents.statement", "names letters but no personal statement")
    if c.personal_statement is not None and wanted == 0:
        raise refuse("apply.documents.statement", "the policy attaches no personal statement")
    if c.personal_statement is not None and c.personal_statement not in a.personal_statements:
        raise refuse("apply.documents.not_owned", f"no personal statement {c.personal_statement!r} on file")
    if len(c.letters) > policy.letters_per_application:
        raise refuse(
            "apply.documents.letters",
            f"{len(c.letters)} letters, the policy allows at most {policy.letters_per_application}",
        )
    seen: set[str] = set()
    for letter in c.letters:
        if letter in seen:
            raise refuse("apply.documents.letters", f"letter {letter!r} attached twice")
        seen.add(letter)
        if letter not in a.letters:
            raise refuse("apply.documents.not_owned", f"no letter {letter!r} on file")


def _certify(state: SoapState, c: CertifyPreferenceList) -> list[Event]:
    policy = _policy(state)
    code = c.program
    if not state.list_published:
        raise RuleViolation(
            "schedule.certify_before_list", "§3", "no preference list before the list release", program=code
        )
    due = _time(policy.review_start)
    if c.at < due:
        raise RuleViolation(
            "schedule.review_start",
            "§3",
            f"programs review applications from {due}, not {c.at}",
            program=code,
        )
    program = state.programs.get(code)
    if program is None:
        raise RuleViolation(
            "certify.unknown_program", "§5", "not a program taking part in SOAP", program=code
        )
    if state.current_round >= policy.rounds:
        raise RuleViolation(
            "certify.no_round_left",
            "§5",
            f"no round left to use the list (the policy has {policy.rounds})",
            program=code,
        )
    seen: set[str] = set()
    for i, who in enumerate(c.applicants):
        if who in seen:
            raise RuleViolation(
                "certify.repeat", "§5", f"preference list names {who} twice (entry {i})", program=code
            )
        seen.add(who)
        if who not in program.applicants:
            raise RuleViolation(
                "certify.not_applied",
                "§5",
                f"preference list names {who}, who did not apply (entry {i})",
                program=code,
            )
    return [PreferenceListCertified(c.at, code, tuple(c.applicants))]


def _open_round(state: SoapState, c: OpenRound) -> list[Event]:
    policy = _policy(state)
    n = c.round
    if not state.list_published:
        raise RuleViolation(
            "schedule.round_before_list", "§3", "no round before the List of Unfilled Programs", round=n
        )
    if state.round_open:
        raise RuleViolation(
            "schedule.round_open", "§3", f"round {state.current_round} is still open", round=n
        )
    if not 1 <= n <= policy.rounds:
        raise RuleViolation(
            "schedule.round_limit", "§3", f"the policy has rounds 1 to {policy.rounds} only", round=n
        )
    if n != state.current_round + 1:
        raise RuleViolation(
            "schedule.round_order", "§3", f"the next round is {state.current_round + 1}", round=n
        )
    times = _round_times(policy)[n - 1]
    if c.at < times.opens:
        raise RuleViolation("schedule.round_too_early", "§3", f"opens at {times.opens}, not {c.at}", round=n)
    if c.at >= times.closes:
        raise RuleViolation(
            "schedule.round_too_late",
            "§3",
            f"was due to close at {times.closes}, cannot open at {c.at}",
            round=n,
        )
    events: list[Event] = [RoundOpened(c.at, n)]
    events.extend(_offers(state, n))
    return events


def _offers(state: SoapState, n: int) -> list[OfferExtended]:
    """§5: each program, by code, offers its open positions down its list to available applicants."""
    out: list[OfferExtended] = []
    applicants = state.applicants
    for code in state.program_order:
        p = state.programs[code]
        room = p.positions - len(p.accepted) - len(p.outstanding)
        entries = p.certified
        if room <= 0 or not entries:
            continue
        kind, offered = p.kind, p.offered
        for i in range(p.cursor, len(entries)):
            who = entries[i]
            if who in offered or kind not in applicants[who].needs:
                continue
            out.append(OfferExtended(n, code, who))
            room -= 1
            if room == 0:
                break
    return out


def _respond_checks(
    state: SoapState, at: WeekTime, who: str, codes: tuple[str, ...], verb: str
) -> ApplicantLedger:
    policy = _policy(state)
    n = state.current_round
    if not state.round_open:
        raise RuleViolation(
            "schedule.round_not_open",
            "§5",
            f"cannot {verb} {_codes(codes)}: no round is open",
            applicant=who,
            round=n or None,
        )
    closes = _round_times(policy)[n - 1].closes
    if at >= closes:
        raise RuleViolation(
            "schedule.response_window",
            "§5",
            f"cannot {verb} {_codes(codes)} at {at}: the round closes at {closes}",
            applicant=who,
            round=n,
        )
    a = state.applicants.get(who)
    if a is None:
        raise RuleViolation(
            "offer.unknown_applicant", "§5", "not an applicant taking part in SOAP", applicant=who, round=n
        )
    if not codes:
        raise RuleViolation(f"offer.{verb}.empty", "§5", f"names no offer to {verb}", applicant=who, round=n)
    if len(set(codes)) != len(codes):
        raise RuleViolation(
            f"offer.{verb}.repeat", "§5", f"names an offer twice: {_codes(codes)}", applicant=who, round=n
        )
    return a


def _accept(state: SoapState, c: Accept) -> list[Event]:
    who, codes = c.applicant, tuple(c.programs)
    a = _respond_checks(state, c.at, who, codes, "accept")
    n = state.current_round

    def refuse(rule: str, message: str, program: str | None = None) -> RuleViolation:
        return RuleViolation(rule, "§5", message, applicant=who, program=program, round=n)

    if a.accepted and not a.needs:
        raise refuse(
            "offer.accept.second",
            f"cannot accept {_codes(codes)}: already accepted {', '.join(a.accepted)} "
            "and needs no other position",
        )
    if len(codes) > 2:
        raise refuse(
            "offer.accept.pair", f"cannot accept {len(codes)} offers; at most one PGY-1-only and one advanced"
        )
    for code in codes:
        if code not in a.open_offers:
            record = state.offers.get((code, who))
            if record is not None and record.automatic:
                raise refuse(
                    "offer.accept.second",
                    f"cannot accept {code}: its offer was rejected when {', '.join(a.accepted)} was accepted",
                    code,
                )
            raise refuse(
                "offer.accept.not_offered", f"cannot accept {code}: {_no_open_offer(state, code, who)}", code
            )
    kinds = [state.programs[code].kind for code in codes]
    if len(codes) == 2 and not (is_pair(kinds) and set(kinds) <= a.needs):
        raise refuse(
            "offer.accept.pair",
            f"cannot accept {_codes(codes)} together: two offers only as one PGY-1-only and one advanced "
            f"position, for an applicant needing both",
        )
    for code, kind in zip(codes, kinds, strict=True):
        if kind not in a.needs:
            raise refuse(
                "offer.accept.not_needed",
                f"cannot accept {code}: {_standing(a)} and needs no {_KIND_WORDS[kind]} position",
                code,
            )
    accepted = sorted(codes)
    events: list[Event] = [OfferAccepted(c.at, n, code, who) for code in accepted]
    still = needs(a.holds | set(kinds))
    for code in sorted(a.open_offers - set(codes)):
        if state.programs[code].kind not in still:
            events.append(OfferRejected(c.at, n, code, who, automatic=True))
    return events


def _reject(state: SoapState, c: Reject) -> list[Event]:
    who, codes = c.applicant, tuple(c.programs)
    a = _respond_checks(state, c.at, who, codes, "reject")
    n = state.current_round
    for code in codes:
        if code not in a.open_offers:
            raise RuleViolation(
                "offer.reject.not_offered",
                "§5",
                f"cannot reject {code}: {_no_open_offer(state, code, who)}",
                applicant=who,
                program=code,
                round=n,
            )
    return [OfferRejected(c.at, n, code, who) for code in sorted(codes)]


def _close_round(state: SoapState, c: CloseRound) -> list[Event]:
    policy = _policy(state)
    n = c.round
    if not state.round_open:
        raise RuleViolation("schedule.round_not_open", "§3", "no round is open", round=n)
    if n != state.current_round:
        raise RuleViolation(
            "schedule.round_order", "§3", f"round {state.current_round} is the open one", round=n
        )
    closes = _round_times(policy)[n - 1].closes
    if c.at < closes:
        raise RuleViolation(
            "schedule.close_too_early",
            "§5",
            f"applicants may answer until {closes}; cannot close at {c.at}",
            round=n,
        )
    expiring = sorted((code, who) for code in state.program_order for who in state.programs[code].outstanding)
    events: list[Event] = [OfferExpired(n, code, who) for code, who in expiring]
    events.append(RoundClosed(c.at, n))
    return events


def _end(state: SoapState, c: EndSoap) -> list[Event]:
    policy = _policy(state)
    if state.round_open:
        raise RuleViolation(
            "schedule.end_round_open",
            "§3",
            f"round {state.current_round} is still open",
            round=state.current_round,
        )
    due = _time(policy.soap_end)
    if c.at < due:
        raise RuleViolation("schedule.end_too_early", "§3", f"SOAP ends at {due}, not {c.at}")
    return [SoapEnded(c.at)]


_DECISIONS: dict[type[Any], Callable[[SoapState, Any], list[Event]]] = {
    StartSoap: _start,
    RecordVerification: _verify,
    ReleaseStatus: _release_status,
    PublishUnfilledList: _publish,
    SubmitApplication: _apply,
    CertifyPreferenceList: _certify,
    OpenRound: _open_round,
    Accept: _accept,
    Reject: _reject,
    CloseRound: _close_round,
    EndSoap: _end,
}


# --- small helpers -----------------------------------------------------------------------------


def _policy(state: SoapState) -> Policy:
    assert state.policy is not None
    return state.policy


@lru_cache(maxsize=64)
def _time(text: str) -> WeekTime:
    return WeekTime.parse(text)


@lru_cache(maxsize=64)
def _round_times(policy: Policy) -> tuple[RoundTimes, ...]:
    return policy.round_times()


def _entrant(state: SoapState, who: str, rule: str, section: str) -> ApplicantLedger:
    a = state.applicants.get(who)
    if a is None:
        raise RuleViolation(
            rule, section, "not a SOAP entrant (not registered, or fully matched)", applicant=who
        )
    return a


def _standing(a: ApplicantLedger) -> str:
    if not a.holds:
        return "holds no position"
    held = " and ".join(_with_article(_KIND_WORDS[k]) for k in sorted(a.holds))
    return f"holds {held} position"


def _with_article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _codes(codes: tuple[str, ...]) -> str:
    return " and ".join(codes) if codes else "nothing"


def _no_open_offer(state: SoapState, code: str, who: str) -> str:
    record = state.offers.get((code, who))
    if record is None:
        return f"no offer from {code}"
    if record.round != state.current_round:
        return f"the offer from {code} was made in round {record.round} and is {record.status.value}"
    if record.status is OfferStatus.REJECTED:
        return f"the offer from {code} was already rejected"
    return f"the offer from {code} is already {record.status.value}"
