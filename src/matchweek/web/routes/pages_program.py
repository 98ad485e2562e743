"""The program's pages: its programs, round status, applicant table, one applicant's file, the list editor.

Every route with a program code checks that the signed-in account manages it
(:func:`~matchweek.web.deps.managed_program`); applicant files are shown only for
applicants who applied to that program.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from matchweek.web import actions, reads
from matchweek.web.deps import AccountDep, PortalDep, ProgramDep, csrf_protected, program_account
from matchweek.web.labels import APPLICANT_KIND_LABELS
from matchweek.web.problems import BadInput
from matchweek.web.routes import filters
from matchweek.web.routes.outcome import carry_out
from matchweek.web.schemas import Identifier
from matchweek.web.templating import render, wants_fragment
from matchweek.web.views.program import APPLICANT_SORTS, VISA_FILTERS, ApplicantFilter

router = APIRouter(prefix="/program")

EDIT_OPERATIONS = ("add", "top", "up", "down", "bottom", "remove")

MAX_DRAFT_CHARS = 1_000_000
"""The draft list travels as one field of space-separated applicant ids (a form may have few fields)."""

FilterText = Annotated[str | None, Query(max_length=100)]


@router.get("", dependencies=[Depends(program_account)])
def programs_page(request: Request, portal: PortalDep, account: AccountDep) -> Response:
    return render(request, "program/programs.html", {"programs": reads.programs_of(portal, account)})


@router.get("/{code}")
def program_page(request: Request, portal: PortalDep, code: ProgramDep) -> Response:
    context = {
        "section": "status",
        "program": reads.program(portal, code),
        "status": reads.round_status(portal, code),
        "plist": reads.preference_list(portal, code),
        "review": reads.may_review(portal),
    }
    return render(request, "program/status.html", context)


@router.get("/{code}/applicants")
def applicants_page(
    request: Request,
    portal: PortalDep,
    code: ProgramDep,
    kind: FilterText = None,
    visa: FilterText = None,
    max_failures: FilterText = None,
    min_score: FilterText = None,
    min_graduation_year: FilterText = None,
    ties_only: FilterText = None,
    no_red_flags: FilterText = None,
    sort: FilterText = None,
    order: FilterText = None,
) -> Response:
    wanted = ApplicantFilter(
        kind=filters.choice(kind, tuple(APPLICANT_KIND_LABELS), "kind"),
        visa=filters.choice(visa, VISA_FILTERS, "visa"),
        max_failures=filters.whole(max_failures, "max_failures", low=0, high=99),
        min_score=filters.whole(min_score, "min_score", low=0, high=999),
        min_graduation_year=filters.whole(min_graduation_year, "min_graduation_year", low=1900, high=2100),
        ties_only=filters.flag(ties_only),
        no_red_flags=filters.flag(no_red_flags),
        sort=filters.choice(sort, tuple(APPLICANT_SORTS), "sort") or "id",
        descending=filters.choice(order, ("asc", "desc"), "order") == "desc",
    )
    allowed, note = reads.may_review(portal)
    context = {
        "section": "applicants",
        "program": reads.program(portal, code),
        "review_open": allowed,
        "note": note,
        "table": reads.applicant_table(portal, code, wanted) if allowed else None,
        "wanted": wanted,
        "sorts": APPLICANT_SORTS,
        "visas": VISA_FILTERS,
    }
    template = "partials/applicant_rows.html" if wants_fragment(request) else "program/applicants.html"
    return render(request, template, context)


@router.get("/{code}/applicants/{applicant_id}")
def applicant_page(
    request: Request, portal: PortalDep, code: ProgramDep, applicant_id: Identifier
) -> Response:
    context = {
        "section": "applicants",
        "program": reads.program(portal, code),
        "detail": reads.applicant_detail(portal, code, applicant_id),
    }
    return render(request, "program/applicant.html", context)


def _editor(request: Request, portal: PortalDep, code: str, draft: list[str]) -> Response:
    plist = reads.preference_list(portal, code)
    addable = reads.addable(portal, code, draft)
    context = {
        "section": "list",
        "program": reads.program(portal, code),
        "plist": plist,
        "draft": draft,
        "changed": draft != plist.certified,
        "addable": addable,
        "facts": reads.list_facts(portal, code, [*draft, *addable]),
    }
    return render(
        request, "partials/list_editor.html" if wants_fragment(request) else "program/list.html", context
    )


@router.get("/{code}/preference-list")
def list_page(request: Request, portal: PortalDep, code: ProgramDep) -> Response:
    return _editor(request, portal, code, reads.preference_list(portal, code).certified)


@router.post("/{code}/preference-list/edit", dependencies=[Depends(csrf_protected)])
def edit_list(
    request: Request,
    portal: PortalDep,
    code: ProgramDep,
    action: Annotated[str, Form(max_length=80)],
    target: Annotated[str, Form(max_length=64)] = "",
    draft: Annotated[str, Form(max_length=MAX_DRAFT_CHARS)] = "",
) -> Response:
    """Change the draft list (sent back whole by the page) and show the editor again; nothing is stored
    until the list is certified. ``action`` is ``add`` (the applicant in ``target``) or
    ``OP:APPLICANT`` with OP one of top, up, down, bottom, remove."""
    op, _, who = action.partition(":")
    if op == "add":
        who = target
    if op not in EDIT_OPERATIONS or not who:
        raise BadInput(f"action: one of add, or {', '.join(EDIT_OPERATIONS[1:])} with an applicant")
    applied = portal.store.applicants_to(code)
    known = set(applied)
    kept: list[str] = []
    for listed in draft.split():
        if listed in known and listed not in kept:
            kept.append(listed)
    return _editor(request, portal, code, _edited(kept, op, who, known))


def _edited(draft: list[str], op: str, target: str, known: set[str]) -> list[str]:
    out = list(draft)
    if op == "add":
        if target in known and target not in out:
            out.append(target)
        return out
    if target not in out:
        return out
    i = out.index(target)
    if op == "remove":
        del out[i]
    elif op == "up" and i > 0:
        out[i - 1], out[i] = out[i], out[i - 1]
    elif op == "down" and i < len(out) - 1:
        out[i + 1], out[i] = out[i], out[i + 1]
    elif op == "top":
        out.insert(0, out.pop(i))
    elif op == "bottom":
        out.append(out.pop(i))
    return out


@router.post("/{code}/preference-list/certify", dependencies=[Depends(csrf_protected)])
def certify(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    code: ProgramDep,
    draft: Annotated[str, Form(max_length=MAX_DRAFT_CHARS)] = "",
) -> Response:
    applicants = draft.split()
    return carry_out(
        request,
        f"/program/{code}/preference-list",
        lambda: actions.certify_list(portal, account, code, applicants),
    )
