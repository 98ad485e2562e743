"""The applicant's API: its own status, unfilled list, documents, applications, offers and history.

Routes under ``/api/applicant`` act on the signed-in applicant's own records (the id comes
from the account, never from the request). ``/api/applicants/{id}`` lets the operator look
at any applicant, and an applicant at itself only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from matchweek.soap import ApplicationSubmitted
from matchweek.store import ApplicationView
from matchweek.web import actions, reads
from matchweek.web.deps import AccountDep, ApplicantDep, PortalDep, csrf_protected
from matchweek.web.problems import Forbidden
from matchweek.web.schemas import (
    AcceptIn,
    ApplicantStatusOut,
    ApplicationIn,
    ApplicationOut,
    DocumentsOut,
    HistoryEntryOut,
    Identifier,
    OfferOut,
    RejectIn,
    UnfilledListOut,
    refusals,
)
from matchweek.web.views import applicant as applicant_views
from matchweek.web.views.applicant import UnfilledFilter

router = APIRouter(prefix="/api", tags=["applicant"], dependencies=[Depends(csrf_protected)])

_READ = refusals({403: "not an applicant account"})
_RECORD = refusals({403: "not the operator or this applicant", 404: "no such applicant"})
_CHANGE = refusals(
    {403: "not an applicant account", 409: "a SOAP rule refuses it (naming the rule and record)"}
)

SortKey = Literal["code", "name", "specialty", "state", "open", "img_share"]


@router.get("/applicant/status", responses=_READ)
def status(portal: PortalDep, applicant: ApplicantDep) -> ApplicantStatusOut:
    """Your Match status (once released), SOAP eligibility and applications used of the cap."""
    return reads.applicant_status(portal, applicant)


@router.get(
    "/applicant/unfilled",
    responses=refusals({403: "not an applicant, or the list is not open to you"}),
)
def unfilled(
    portal: PortalDep,
    applicant: ApplicantDep,
    specialty: Annotated[str | None, Query(max_length=100)] = None,
    track: Annotated[
        Literal["categorical", "preliminary", "transitional", "advanced", "reserved"] | None, Query()
    ] = None,
    state: Annotated[str | None, Query(max_length=8)] = None,
    visa: Annotated[Literal["J-1", "H-1B"] | None, Query(description="sponsors this visa")] = None,
    min_img_share: Annotated[float | None, Query(ge=0, le=100, description="percent")] = None,
    sort: SortKey = "code",
    descending: bool = False,
) -> UnfilledListOut:
    """The List of Unfilled Programs you may apply to, filtered and sorted (403 until it is open to you)."""
    wanted = UnfilledFilter(specialty, track, state, visa, min_img_share, sort, descending)
    visible, note, listing = reads.unfilled(portal, applicant, wanted)
    if not visible:
        raise Forbidden(f"the List of Unfilled Programs is not open to you: {note}")
    return listing


@router.get("/applicant/documents", responses=_READ)
def documents(portal: PortalDep, applicant: ApplicantDep) -> DocumentsOut:
    """Your personal statements and letters on file, and how many one application may carry."""
    return reads.documents(portal, applicant)


@router.get("/applicant/applications", responses=_READ)
def applications(portal: PortalDep, applicant: ApplicantDep) -> list[ApplicationOut]:
    """Your applications, in the order sent."""
    return reads.applications(portal, applicant)


@router.post("/applicant/applications", status_code=201, responses=_CHANGE)
async def apply(
    body: ApplicationIn, portal: PortalDep, account: AccountDep, applicant: ApplicantDep
) -> ApplicationOut:
    """Apply to a program on your list with one personal statement and letters chosen for it."""
    # The busiest call of the week (the Monday burst): it waits for its commit on the event loop, holding
    # no worker thread, and answers from the recorded event without reading the database again.
    command = actions.application(portal, applicant, body.program, body.personal_statement, body.letters)
    (stored,) = await portal.store.execute_async(command, actor=account.username)
    event = stored.event
    assert isinstance(event, ApplicationSubmitted)
    sent = ApplicationView(applicant, event.program, event.personal_statement, event.letters, event.at)
    # A program's name and specialty never change during SOAP: no need to hold the state still.
    return applicant_views.applications(portal.store.state(), [sent])[0]


@router.get("/applicant/offers", responses=_READ)
def offers(portal: PortalDep, applicant: ApplicantDep) -> list[OfferOut]:
    """Your offers, newest round first; open ones say (UTC) when they expire unanswered."""
    return reads.offers(portal, applicant)


@router.post("/applicant/offers/accept", responses=_CHANGE)
def accept(body: AcceptIn, portal: PortalDep, account: AccountDep, applicant: ApplicantDep) -> list[OfferOut]:
    """Accept an offer (binding: ``confirm_binding`` must be true); your other offers you no longer
    need are rejected. Returns your offers after it."""
    actions.accept_offers(portal, account, applicant, body.programs, body.confirm_binding)
    return reads.offers(portal, applicant)


@router.post("/applicant/offers/reject", responses=_CHANGE)
def reject(body: RejectIn, portal: PortalDep, account: AccountDep, applicant: ApplicantDep) -> list[OfferOut]:
    """Reject open offers. Returns your offers after it."""
    actions.reject_offers(portal, account, applicant, body.programs)
    return reads.offers(portal, applicant)


@router.get("/applicant/history", responses=_READ)
def history(portal: PortalDep, applicant: ApplicantDep) -> list[HistoryEntryOut]:
    """What happened to you during the week, with the week's schedule, oldest first."""
    return reads.history(portal, applicant)


@router.get(
    "/applicants/{applicant_id}/status",
    responses=_RECORD,
)
def applicant_status(applicant_id: Identifier, portal: PortalDep, account: AccountDep) -> ApplicantStatusOut:
    """An applicant's status: the operator sees anyone's, an applicant only its own."""
    return reads.applicant_record(portal, account, applicant_id)[0]


@router.get(
    "/applicants/{applicant_id}/offers",
    responses=_RECORD,
)
def applicant_offers(applicant_id: Identifier, portal: PortalDep, account: AccountDep) -> list[OfferOut]:
    """An applicant's offers: the operator sees anyone's, an applicant only its own."""
    return reads.applicant_record(portal, account, applicant_id)[1]
