"""The applicant planner's API: the planning profile, the optimal list with its odds, the tracker, and the
recommendation on offers in hand.

Routes under ``/api/applicant`` act on the signed-in applicant's own records (the id comes from
the account, never from the request). The operator may read any applicant's profile and tracker
under ``/api/applicants/{id}/plan``; an applicant there only its own.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from matchweek.store import Account, Role
from matchweek.web.deps import AccountDep, ApplicantDep, PortalDep, csrf_protected
from matchweek.web.portal import Portal
from matchweek.web.problems import Conflict, Forbidden
from matchweek.web.schemas import Identifier, refusals
from matchweek.web.transfer import XLSX_TYPE
from matchweek.web.views.planner import (
    DecisionDocument,
    Objective,
    PlanOut,
    ProfileDocument,
    TrackerDocument,
    checked_profile,
    current_profile,
    decision_out,
    market_applicant,
    offer_advice,
    plan_out,
    plan_view,
    profile_document,
    save_profile,
    save_tracker,
    tracker,
    tracker_document,
    tracker_download,
)

router = APIRouter(prefix="/api", tags=["planner"], dependencies=[Depends(csrf_protected)])

_PROFILE = refusals(
    {
        403: "not an applicant account",
        404: "not in the market",
        409: "no market loaded, or the profile is beyond the portal's bounds",
    }
)
_PLAN = refusals(
    {
        403: "not an applicant account, or the List of Unfilled Programs is not open to you",
        404: "not in the market",
        409: "no market loaded, or SOAP has not started",
    }
)
_TRACKER = refusals({403: "not an applicant account"})
_RECORD = refusals({403: "not the operator or this applicant", 404: "no such applicant in the market"})
_FILE = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "the tracker, as an attachment",
    }
}


@router.get("/applicant/plan/profile", response_model_exclude_unset=True, responses=_PROFILE)
def profile(portal: PortalDep, applicant: ApplicantDep) -> ProfileDocument:
    """Your planning profile (``matchweek.profile/1``): the one you saved, or until then the one derived
    from your market record."""
    return profile_document(current_profile(portal, applicant)[0])


@router.put("/applicant/plan/profile", response_model_exclude_unset=True, responses=_PROFILE)
def put_profile(
    body: ProfileDocument, portal: PortalDep, account: AccountDep, applicant: ApplicantDep
) -> ProfileDocument:
    """Save your planning profile (``matchweek.profile/1``); a profile naming another applicant, or with a
    field at fault, is refused whole (422, naming the field)."""
    market_applicant(portal, applicant)
    checked = checked_profile(body.model_dump(mode="json", exclude_unset=True), applicant, "profile")
    save_profile(portal, applicant, checked, account.username)
    return profile_document(checked)


@router.get("/applicant/plan", response_model_exclude_unset=True, responses=_PLAN)
def plan(
    portal: PortalDep,
    applicant: ApplicantDep,
    objective: Annotated[Objective, Query(description="what the list maximises")] = "utility",
) -> PlanOut:
    """The optimal list for the applications you have left over the programs you may apply to and have
    not, with the odds of an offer from every one of them and the documents for each pick."""
    return plan_out(plan_view(portal, applicant, objective))


@router.get("/applicant/plan/tracker", responses=_TRACKER)
def get_tracker(portal: PortalDep, applicant: ApplicantDep) -> TrackerDocument:
    """Your program tracker; ``applied`` comes from your applications."""
    return tracker_document(tracker(portal, applicant))


@router.put("/applicant/plan/tracker", responses=_TRACKER)
def put_tracker(
    body: TrackerDocument, portal: PortalDep, account: AccountDep, applicant: ApplicantDep
) -> TrackerDocument:
    """Replace your program tracker with these rows, in this order."""
    save_tracker(portal, applicant, body, account.username)
    return tracker_document(tracker(portal, applicant))


@router.get("/applicant/plan/tracker.csv", responses={**_TRACKER, **_FILE}, response_class=Response)
def tracker_csv(portal: PortalDep, applicant: ApplicantDep) -> Response:
    """Your program tracker as a CSV file."""
    return _attachment(portal, applicant, "csv")


@router.get("/applicant/plan/tracker.xlsx", responses={**_TRACKER, **_FILE}, response_class=Response)
def tracker_xlsx(portal: PortalDep, applicant: ApplicantDep) -> Response:
    """Your program tracker as an XLSX workbook (sheet ``tracker``)."""
    return _attachment(portal, applicant, "xlsx")


@router.get(
    "/applicant/offers/decision",
    responses=refusals(
        {
            403: "not an applicant account",
            404: "not in the market",
            409: "no offer in hand in an open round (or SOAP has not started)",
        }
    ),
)
def decision(portal: PortalDep, applicant: ApplicantDep) -> DecisionDocument:
    """Accept the best offer in hand, or wait? The recommendation with the numbers behind it: the value
    of each choice, the chance of a better offer later and of ending unplaced."""
    advice = offer_advice(portal, applicant)
    if advice is None:
        raise Conflict("no offer in hand in an open round: a recommendation needs offers to weigh")
    return decision_out(advice.decision)


@router.get("/applicants/{applicant_id}/plan/profile", response_model_exclude_unset=True, responses=_RECORD)
def applicant_profile(applicant_id: Identifier, portal: PortalDep, account: AccountDep) -> ProfileDocument:
    """An applicant's planning profile: the operator reads anyone's, an applicant only its own."""
    _may_read(portal, account, applicant_id)
    return profile_document(current_profile(portal, applicant_id)[0])


@router.get("/applicants/{applicant_id}/plan/tracker", responses=_RECORD)
def applicant_tracker(applicant_id: Identifier, portal: PortalDep, account: AccountDep) -> TrackerDocument:
    """An applicant's program tracker: the operator reads anyone's, an applicant only its own."""
    _may_read(portal, account, applicant_id)
    return tracker_document(tracker(portal, applicant_id))


def _may_read(portal: Portal, account: Account, applicant: str) -> None:
    """Forbidden unless the account is the operator or this applicant; NotFound for one not in the market."""
    if account.role is not Role.OPERATOR and not (
        account.role is Role.APPLICANT and account.applicant == applicant
    ):
        raise Forbidden("a planner's records are read only by its applicant and the operator")
    market_applicant(portal, applicant)


def _attachment(portal: Portal, applicant: str, form: Literal["csv", "xlsx"]) -> Response:
    return tracker_download(tracker(portal, applicant), form).response()
