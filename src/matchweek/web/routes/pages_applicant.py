"""The applicant's pages: Match status, the List of Unfilled Programs, applying, offers, history.

Every route takes the applicant id from the signed-in account (never from the URL), so an
applicant can only ever see and change its own records.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from matchweek.web import actions, reads
from matchweek.web.deps import AccountDep, ApplicantDep, PortalDep, csrf_protected
from matchweek.web.problems import NotFound
from matchweek.web.routes import filters
from matchweek.web.routes.outcome import carry_out
from matchweek.web.schemas import Identifier
from matchweek.web.templating import render, wants_fragment
from matchweek.web.views import planner as planner_views
from matchweek.web.views.applicant import UNFILLED_SORTS, UnfilledFilter

router = APIRouter(prefix="/applicant")

FilterText = Annotated[str | None, Query(max_length=100)]


@router.get("")
def status_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    context = {"status": reads.applicant_status(portal, applicant), "section": "status"}
    return render(request, "applicant/status.html", context)


@router.get("/unfilled")
def unfilled_page(
    request: Request,
    portal: PortalDep,
    applicant: ApplicantDep,
    specialty: FilterText = None,
    track: FilterText = None,
    state: FilterText = None,
    visa: FilterText = None,
    min_img_share: FilterText = None,
    sort: FilterText = None,
    order: FilterText = None,
) -> Response:
    wanted = UnfilledFilter(
        specialty=filters.text(specialty),
        track=filters.text(track),
        state=filters.text(state),
        visa=filters.choice(visa, ("J-1", "H-1B"), "visa"),
        min_img_share=filters.number(min_img_share, "min_img_share", low=0, high=100),
        sort=filters.choice(sort, tuple(UNFILLED_SORTS), "sort") or "code",
        descending=filters.choice(order, ("asc", "desc"), "order") == "desc",
    )
    visible, note, listing = reads.unfilled(portal, applicant, wanted)
    context = {
        "section": "unfilled",
        "visible": visible,
        "note": note,
        "listing": listing,
        "wanted": wanted,
        "sorts": UNFILLED_SORTS,
    }
    return render(
        request,
        "partials/unfilled_rows.html" if wants_fragment(request) else "applicant/unfilled.html",
        context,
    )


@router.get("/apply/{code}")
def apply_page(
    request: Request,
    portal: PortalDep,
    applicant: ApplicantDep,
    code: Identifier,
    personal_statement: Annotated[Identifier | None, Query(description="pre-selected")] = None,
    letters: Annotated[list[Identifier] | None, Query(max_length=16, description="pre-selected")] = None,
) -> Response:
    """The application form; the documents named in the address (the planner's choice) come pre-selected."""
    program, open_positions, already = reads.program_on_list(portal, applicant, code)
    context = {
        "section": "unfilled",
        "program": program,
        "open_positions": open_positions,
        "already": already,
        "documents": reads.documents(portal, applicant),
        "status": reads.applicant_status(portal, applicant),
        "chosen_statement": personal_statement,
        "chosen_letters": letters,
    }
    return render(request, "applicant/apply.html", context)


@router.post("/apply/{code}", dependencies=[Depends(csrf_protected)])
def apply(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    code: Identifier,
    personal_statement: Annotated[str, Form(max_length=64)] = "",
    letters: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = [x for x in (letters or []) if x][:16]
    return carry_out(
        request,
        "/applicant/applications",
        lambda: actions.apply_to_program(portal, account, applicant, code, personal_statement, chosen),
    )


@router.get("/applications")
def applications_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    context = {
        "section": "applications",
        "applications": reads.applications(portal, applicant),
        "status": reads.applicant_status(portal, applicant),
    }
    return render(request, "applicant/applications.html", context)


@router.get("/offers")
def offers_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    offers = reads.offers(portal, applicant)
    in_hand = any(o.status == "open" for o in offers)
    context = {
        "section": "offers",
        "offers": offers,
        "status": reads.applicant_status(portal, applicant),
        # The planner's recommendation, with its numbers, beside the offers it weighs.
        "advice": planner_views.offer_advice(portal, applicant) if in_hand else None,
    }
    return render(
        request, "partials/offers.html" if wants_fragment(request) else "applicant/offers.html", context
    )


@router.get("/offers/accept")
def accept_page(
    request: Request,
    portal: PortalDep,
    applicant: ApplicantDep,
    program: Annotated[list[Identifier], Query(min_length=1, max_length=2)],
) -> Response:
    mine = {o.program: o for o in reads.offers(portal, applicant)}
    chosen = []
    for code in program:
        offer = mine.get(code)
        if offer is None or offer.status != "open":
            raise NotFound(f"you have no open offer from {code}")
        chosen.append(offer)
    return render(request, "applicant/accept.html", {"section": "offers", "chosen": chosen})


@router.post("/offers/accept", dependencies=[Depends(csrf_protected)])
def accept(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    program: Annotated[list[Identifier], Form()],
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    return carry_out(
        request,
        "/applicant/offers",
        lambda: actions.accept_offers(portal, account, applicant, program, filters.flag(confirm)),
    )


@router.post("/offers/reject", dependencies=[Depends(csrf_protected)])
def reject(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    program: Annotated[list[Identifier], Form()],
) -> Response:
    return carry_out(
        request, "/applicant/offers", lambda: actions.reject_offers(portal, account, applicant, program)
    )


@router.get("/history")
def history_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    context = {"section": "history", "entries": reads.history(portal, applicant)}
    return render(request, "applicant/history.html", context)
