"""The program's API: its programs, applicants (only those who applied), preference list and round status.

Every route with a program code answers only for an account that manages the program
(or the operator): 403 otherwise, 404 for a program not in SOAP or an applicant who
did not apply to it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from matchweek.web import actions, reads
from matchweek.web.deps import AccountDep, PortalDep, ProgramDep, csrf_protected, program_account
from matchweek.web.schemas import (
    ApplicantDetailOut,
    ApplicantTableOut,
    Identifier,
    PreferenceListIn,
    PreferenceListOut,
    ProgramOut,
    RoundStatusOut,
    refusals,
)
from matchweek.web.views.program import ApplicantFilter

router = APIRouter(prefix="/api", tags=["program"], dependencies=[Depends(csrf_protected)])

_READ = refusals({403: "not an account managing this program", 404: "no such program in SOAP"})
_APPLICANTS = refusals(
    {
        403: "not an account managing this program",
        404: "no such program in SOAP, or no such applicant among its applicants",
        409: "programs review applications only from the review start",
    }
)

KindText = Literal["us_md", "us_do", "us_img", "non_us_img", "prior_grad"]
SortKey = Literal["id", "kind", "score", "failures", "graduation_year", "clinical", "rank"]


@router.get("/programs", dependencies=[Depends(program_account)], responses=_READ)
def programs(portal: PortalDep, account: AccountDep) -> list[ProgramOut]:
    """The SOAP programs you manage (the operator: every one)."""
    return reads.programs_of(portal, account)


@router.get("/programs/{code}", responses=_READ)
def program(portal: PortalDep, code: ProgramDep) -> ProgramOut:
    """One program you manage, with its positions now."""
    return reads.program(portal, code)


@router.get("/programs/{code}/applicants", responses=_APPLICANTS)
def applicants(
    portal: PortalDep,
    code: ProgramDep,
    kind: KindText | None = None,
    visa: Annotated[Literal["none", "J-1", "H-1B", "any"] | None, Query(description="visa need")] = None,
    max_failures: Annotated[int | None, Query(ge=0, le=99)] = None,
    min_score: Annotated[int | None, Query(ge=0, le=999)] = None,
    min_graduation_year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    ties_only: bool = False,
    no_red_flags: bool = False,
    sort: SortKey = "id",
    descending: bool = False,
) -> ApplicantTableOut:
    """The applicants who applied to the program, with what programs screen on, filtered and sorted."""
    wanted = ApplicantFilter(
        kind, visa, max_failures, min_score, min_graduation_year, ties_only, no_red_flags, sort, descending
    )
    return reads.applicant_table(portal, code, wanted)


@router.get("/programs/{code}/applicants/{applicant_id}", responses=_APPLICANTS)
def applicant(portal: PortalDep, code: ProgramDep, applicant_id: Identifier) -> ApplicantDetailOut:
    """One applicant's file with the documents attached to its application (404 if it did not apply)."""
    return reads.applicant_detail(portal, code, applicant_id)


@router.get("/programs/{code}/preference-list", responses=_READ)
def preference_list(portal: PortalDep, code: ProgramDep) -> PreferenceListOut:
    """The certified list, the list the last round used, and when the next round opens."""
    return reads.preference_list(portal, code)


@router.put(
    "/programs/{code}/preference-list",
    responses=refusals(
        {
            403: "not an account managing this program",
            404: "no such program in SOAP",
            409: "a SOAP rule refuses it (naming the rule and record)",
        }
    ),
)
def certify(
    body: PreferenceListIn, portal: PortalDep, account: AccountDep, code: ProgramDep
) -> PreferenceListOut:
    """Certify the preference list (applicants who applied, most preferred first); the next round
    to open uses it."""
    actions.certify_list(portal, account, code, body.applicants)
    return reads.preference_list(portal, code)


@router.get("/programs/{code}/round-status", responses=_READ)
def round_status(portal: PortalDep, code: ProgramDep) -> RoundStatusOut:
    """Offers out, accepted, rejected and expired, and positions still open."""
    return reads.round_status(portal, code)
