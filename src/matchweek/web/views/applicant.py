"""What an applicant sees: its status, the unfilled list it may apply to, its applications, offers, history.

Every function here takes the applicant's own id and shows only what concerns it; the
List of Unfilled Programs comes from ``soap.visible_programs`` (empty unless the list is
out and the applicant is eligible, and only the kinds of position it may take).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from matchweek.model import Policy, WeekTime
from matchweek.soap import (
    ApplicantVerified,
    ApplicationSubmitted,
    Event,
    OfferAccepted,
    OfferExpired,
    OfferExtended,
    OfferRejected,
    RoundClosed,
    RoundOpened,
    SoapEnded,
    SoapState,
    StatusReleased,
    UnfilledListPublished,
    event_to_dict,
    offers_of,
    unfilled_positions,
    visible_programs,
)
from matchweek.web.catalogue import Catalogue, Holdings
from matchweek.web.schedule import round_closes
from matchweek.web.schemas import (
    ApplicantStatusOut,
    ApplicationOut,
    DocumentOut,
    DocumentsOut,
    HistoryEntryOut,
    OfferOut,
    UnfilledListOut,
    UnfilledProgramOut,
)

if TYPE_CHECKING:
    from matchweek.store import ApplicationView, StoredEvent

UNFILLED_SORTS: dict[str, str] = {
    "code": "program code",
    "name": "program name",
    "specialty": "specialty",
    "state": "state",
    "open": "open positions",
    "img_share": "IMG share",
}
"""The orders the unfilled list can be sorted in, by key."""


@dataclass(frozen=True, slots=True)
class UnfilledFilter:
    """Filters and order for the List of Unfilled Programs; None (or empty) means no filter.

    ``min_img_share`` is a percentage (programs whose recent classes are at least that
    share international graduates).
    """

    specialty: str | None = None
    track: str | None = None
    state: str | None = None
    visa: str | None = None
    min_img_share: float | None = None
    sort: str = "code"
    descending: bool = False


def applicant_status(state: SoapState, holdings: Holdings | None, applicant: str) -> ApplicantStatusOut:
    """The applicant's standing; its Main Match status stays hidden until status is released (§3)."""
    entrant = state.applicants.get(applicant)
    released = state.status_released
    status = None
    held: list[str] = []
    if released and holdings is not None:
        s = holdings.result.statuses.get(applicant)
        status = s.value if s is not None else None
        held = list(holdings.programs.get(applicant, ()))
    visible, note = unfilled_list_access(state, applicant)
    policy = state.policy
    cap = policy.max_applications if policy is not None else 0
    return ApplicantStatusOut(
        applicant=applicant,
        soap_started=state.started,
        status_released=released,
        status_release_at=policy.status_release if policy is not None else None,
        match_status=status,  # type: ignore[arg-type]
        main_match_programs=held,
        soap_entrant=entrant is not None,
        unfilled_list_visible=visible,
        unfilled_list_note=note,
        needs=sorted(k.value for k in entrant.needs) if entrant is not None else [],
        applications_used=len(entrant.applications) if entrant is not None else 0,
        applications_cap=cap,
        accepted=list(entrant.accepted) if entrant is not None else [],
        soap_ended=state.ended,
    )


def unfilled_list_access(state: SoapState, applicant: str) -> tuple[bool, str]:
    """Whether the applicant may see the List of Unfilled Programs now, and a sentence saying why (not)."""
    policy = state.policy
    if not state.started or policy is None:
        return False, "SOAP has not started."
    entrant = state.applicants.get(applicant)
    if not state.status_released:
        return False, f"Match status is released at {policy.status_release}."
    if entrant is None:
        return False, "Only applicants unmatched or partially matched in the Main Match take part in SOAP."
    if not entrant.verified:
        return False, "Your eligibility has not been verified by your school (or ECFMG) yet."
    if not entrant.can_start_july_1:
        return False, "Only applicants who can start training on July 1 take part in SOAP."
    if not state.list_published:
        return False, f"The List of Unfilled Programs is released at {policy.list_release}."
    if not entrant.needs:
        return False, "You hold every position you need: there is nothing more to apply for."
    if state.ended:
        return False, "SOAP has ended."
    return True, "You may apply to the programs on this list."


def unfilled_list(
    state: SoapState,
    catalogue: Catalogue | None,
    applicant: str,
    wanted: UnfilledFilter,
) -> UnfilledListOut:
    """The programs the applicant may see with positions still unfilled, filtered and sorted.

    Empty when :func:`unfilled_list_access` says the applicant may not see the list.
    """
    visible_now, _ = unfilled_list_access(state, applicant)
    codes = visible_programs(state, applicant) if visible_now else ()
    left = unfilled_positions(state)
    entrant = state.applicants.get(applicant)
    applied = entrant.applications if entrant is not None else {}
    rows = []
    for code in codes:
        if code not in left:
            continue
        info = state.programs[code].info
        program = catalogue.programs.get(code) if catalogue is not None else None
        rows.append(
            UnfilledProgramOut(
                code=code,
                name=info.name,
                specialty=info.specialty,
                track=info.track.value,
                state=info.state,
                visa=[v.value for v in info.visa],
                open_positions=left[code],
                img_share=program.img_share if program is not None else None,
                applied=code in applied,
            )
        )
    specialties = sorted({r.specialty for r in rows if r.specialty})
    tracks = sorted({r.track for r in rows})
    states = sorted({r.state for r in rows if r.state})
    chosen = _sorted_programs(_filtered_programs(rows, wanted), wanted)
    policy = state.policy
    return UnfilledListOut(
        programs=chosen,
        visible=len(rows),
        applications_used=len(applied),
        applications_cap=policy.max_applications if policy is not None else 0,
        specialties=specialties,
        tracks=tracks,
        states=states,
    )


def _filtered_programs(rows: Iterable[UnfilledProgramOut], f: UnfilledFilter) -> list[UnfilledProgramOut]:
    out = []
    for r in rows:
        if f.specialty and r.specialty != f.specialty:
            continue
        if f.track and r.track != f.track:
            continue
        if f.state and r.state != f.state:
            continue
        if f.visa and f.visa not in r.visa:
            continue
        if f.min_img_share is not None and (r.img_share is None or r.img_share * 100 < f.min_img_share):
            continue
        out.append(r)
    return out


def _sorted_programs(rows: list[UnfilledProgramOut], f: UnfilledFilter) -> list[UnfilledProgramOut]:
    key: Callable[[UnfilledProgramOut], tuple[object, ...]]
    # Missing values sort last either way; the code breaks ties so the order is total.
    if f.sort == "open":
        key = lambda r: (r.open_positions, r.code)  # noqa: E731
    elif f.sort == "img_share":
        key = lambda r: (r.img_share is None, r.img_share or 0.0, r.code)  # noqa: E731
    elif f.sort in ("name", "specialty", "state"):
        field = f.sort
        key = lambda r: (getattr(r, field) is None, getattr(r, field) or "", r.code)  # noqa: E731
    else:
        key = lambda r: (r.code,)  # noqa: E731
    ordered = sorted(rows, key=key)
    if f.descending:
        ordered.reverse()
    return ordered


def documents(catalogue: Catalogue | None, applicant: str, policy: Policy | None) -> DocumentsOut:
    """The applicant's personal statements and letters on file."""
    a = catalogue.applicants.get(applicant) if catalogue is not None else None
    policy = policy or Policy()
    statements = [
        DocumentOut(id=d.id, kind="personal_statement", specialty=d.specialty, author=d.author)
        for d in (a.personal_statements if a is not None else ())
    ]
    letters = [
        DocumentOut(id=d.id, kind="letter", specialty=d.specialty, author=d.author)
        for d in (a.letters if a is not None else ())
    ]
    return DocumentsOut(
        personal_statements=statements,
        letters=letters,
        letters_per_application=policy.letters_per_application,
        personal_statements_per_application=policy.personal_statements_per_application,
    )


def applications(state: SoapState, stored: Sequence[ApplicationView]) -> list[ApplicationOut]:
    """The applicant's applications, in the order sent, from the store's applications read model."""
    out = []
    for view in stored:
        ledger = state.programs.get(view.program)
        info = ledger.info if ledger is not None else None
        out.append(
            ApplicationOut(
                program=view.program,
                program_name=info.name if info is not None else None,
                specialty=info.specialty if info is not None else None,
                personal_statement=view.personal_statement,
                letters=list(view.letters),
                submitted_at=str(view.submitted_at),
            )
        )
    return out


def offers(state: SoapState, applicant: str, wall_time_of: Callable[[WeekTime], datetime]) -> list[OfferOut]:
    """Every offer the applicant received, newest round first; open ones say when they expire."""
    policy = state.policy
    out = []
    for view in offers_of(state, applicant):
        info = state.programs[view.program].info
        closes: WeekTime | None = None
        if view.status.value == "open" and policy is not None:
            closes = round_closes(policy, view.round)
        out.append(
            OfferOut(
                program=view.program,
                program_name=info.name,
                specialty=info.specialty,
                track=info.track.value,
                round=view.round,
                status=view.status.value,  # type: ignore[arg-type]
                closes_at=wall_time_of(closes) if closes is not None else None,
                closes_at_week=str(closes) if closes is not None else None,
            )
        )
    out.sort(key=lambda o: -o.round)
    return out


_SCHEDULE_TEXT = {
    StatusReleased: "Match status released",
    UnfilledListPublished: "List of Unfilled Programs released; applications open",
    SoapEnded: "SOAP ended",
}


def history(stored_events: Iterable[StoredEvent], applicant: str) -> list[HistoryEntryOut]:
    """The events of the log about this applicant, and the week's schedule events, oldest first.

    Nothing about other applicants is included.
    """
    out = []
    for stored in stored_events:
        event = stored.event
        text = _history_text(event, applicant)
        if text is None:
            continue
        at = getattr(event, "at", None)
        out.append(
            HistoryEntryOut(
                seq=stored.seq,
                recorded_at=stored.recorded_at,
                at=str(at) if at is not None else None,
                type=event_type(event),
                text=text,
            )
        )
    return out


def event_type(event: Event) -> str:
    """The event's kind as the log names it (``offer_accepted``)."""
    return str(event_to_dict(event)["type"])


def _history_text(event: Event, applicant: str) -> str | None:
    schedule_text = _SCHEDULE_TEXT.get(type(event))
    if schedule_text is not None:
        return schedule_text
    if isinstance(event, RoundOpened):
        return f"Round {event.round} opened"
    if isinstance(event, RoundClosed):
        return f"Round {event.round} closed"
    if getattr(event, "applicant", None) != applicant:
        return None
    if isinstance(event, ApplicantVerified):
        return "Eligibility verified"
    if isinstance(event, ApplicationSubmitted):
        return f"Applied to {event.program}"
    if isinstance(event, OfferExtended):
        return f"Offer from {event.program} (round {event.round})"
    if isinstance(event, OfferAccepted):
        return f"Accepted the offer from {event.program}: a binding match"
    if isinstance(event, OfferRejected):
        how = " automatically, after accepting another offer" if event.automatic else ""
        return f"Rejected the offer from {event.program}{how}"
    if isinstance(event, OfferExpired):
        return f"The offer from {event.program} expired unanswered"
    return None
