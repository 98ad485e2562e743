"""The applicant planner's pages: the optimal list with its chart, the planning profile, the tracker.

Every route takes the applicant from the signed-in account. A change that is refused (a field
at fault, a bad file) shows the page again with status 422 and one line per fault; nothing of
it is kept.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from matchweek.errors import FormatError
from matchweek.formats.fileio import decode_json, encode_json
from matchweek.model import Track, Visa
from matchweek.plan.documents import DocumentChoice
from matchweek.plan.exports import ODDS_TABLE, odds_rows
from matchweek.plan.profile import REGIONS, Profile, profile_to_document
from matchweek.plan.tracker import tracker_from_picks
from matchweek.store import planner as planner_store
from matchweek.synth.geography import DIVISIONS
from matchweek.web import reads
from matchweek.web.deps import AccountDep, ApplicantDep, PortalDep, csrf_protected
from matchweek.web.portal import Portal
from matchweek.web.problems import NotFound
from matchweek.web.routes import filters
from matchweek.web.schemas import Identifier
from matchweek.web.sessions import session_of
from matchweek.web.templating import render
from matchweek.web.transfer import Download
from matchweek.web.views.planner import (
    OBJECTIVE_LABELS,
    PlanView,
    TrackedProgramDocument,
    checked_profile,
    checked_tracker,
    current_profile,
    plan_chart_json,
    plan_view,
    profile_json,
    read_uploaded_tracker,
    save_profile,
    save_tracked_program,
    save_tracker,
    tracker,
    validation_faults,
)

router = APIRouter(prefix="/applicant/plan")

MAX_TIERS = 50
MAX_ENTRIES = 100
"""Most priority tiers, and entries per tier, the profile form reads."""

EDITABLE = ("interest", "interview_time", "interview_contact", "notes")
"""The tracker columns edited on the tracker page (the rest come from the plan or an imported file)."""


# --- the optimal list -----------------------------------------------------------------------------


@router.get("")
def plan_page(
    request: Request,
    portal: PortalDep,
    applicant: ApplicantDep,
    objective: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    chosen = filters.choice(objective, tuple(OBJECTIVE_LABELS), "objective") or "utility"
    status = reads.applicant_status(portal, applicant)
    context: dict[str, Any] = {
        "section": "plan",
        "status": status,
        "objective": chosen,
        "objectives": OBJECTIVE_LABELS,
        "view": None,
    }
    if status.unfilled_list_visible:
        view = plan_view(portal, applicant, "placement" if chosen == "placement" else "utility")
        context.update(_plan_context(view))
    return render(request, "planner/plan.html", context)


def _plan_context(view: PlanView) -> dict[str, Any]:
    planned = view.planned
    choices = {c.program: c for c in view.documents.choices}
    picks = [
        {"pick": p, "documents": choices[p.program.code], "apply": _apply_link(choices[p.program.code])}
        for p in planned.picks
    ]
    rows = odds_rows(planned.odds, view.wanted.tolist(), list(planned.exclusions))
    return {
        "view": view,
        "picks": picks,
        "chart": plan_chart_json(view),
        "programs": [dict(zip(ODDS_TABLE.header, row, strict=True)) for row in rows],
    }


def _apply_link(choice: DocumentChoice) -> str:
    """The apply page with the documents the planner chose for the program pre-selected."""
    query: list[tuple[str, str]] = []
    if choice.personal_statement:
        query.append(("personal_statement", choice.personal_statement))
    query.extend(("letters", letter) for letter in choice.letters)
    return f"/applicant/apply/{quote(choice.program)}" + (f"?{urlencode(query)}" if query else "")


# --- the profile ----------------------------------------------------------------------------------


@router.get("/profile")
def profile_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    return _profile_page(request, portal, applicant, [])


def _profile_page(
    request: Request, portal: Portal, applicant: str, problems: list[str], *, status: int = 200
) -> Response:
    profile, saved = current_profile(portal, applicant)
    context = {
        "section": "plan",
        "profile": profile,
        "saved": saved,
        "tiers": _tier_rows(profile),
        "all_tracks": [t.value for t in Track],
        "visas": [v.value for v in Visa],
        "regions": [*REGIONS, *DIVISIONS],
        "problems": problems,
    }
    return render(request, "planner/profile.html", context, status=status)


def _tier_rows(profile: Profile) -> list[dict[str, Any]]:
    """The profile's tiers for the form, each with a blank entry to add to, and a blank tier at the end."""
    rows: list[dict[str, Any]] = [
        {
            "name": tier.name,
            "utility": tier.utility,
            "entries": [(e.specialty, [t.value for t in e.tracks]) for e in tier.entries] + [("", [])],
        }
        for tier in profile.priorities
    ]
    rows.append({"name": "", "utility": None, "entries": [("", [])] * 3})
    return rows


async def _form(request: Request) -> FormData:
    """The request's form (its fields are named by tier and entry, so no fixed model reads them)."""
    return await request.form()


@router.post("/profile", dependencies=[Depends(csrf_protected)])
def save_profile_form(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    form: Annotated[FormData, Depends(_form)],
) -> Response:
    """Save the priorities and criteria of the form; the rest of the profile stays as it is."""
    current, _ = current_profile(portal, applicant)
    document = {**profile_json(current), **_edited_profile(form)}
    return _keep_profile(request, portal, account.username, applicant, document, "profile form")


@router.post("/profile/upload", dependencies=[Depends(csrf_protected)])
def upload_profile(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Replace the profile with an uploaded ``matchweek.profile/1`` file."""
    name = file.filename or "profile.json"
    try:
        document = decode_json(file.file.read(), name)
    except FormatError as e:
        return _profile_page(request, portal, applicant, _lines(e), status=422)
    return _keep_profile(request, portal, account.username, applicant, document, name)


def _keep_profile(
    request: Request, portal: Portal, actor: str, applicant: str, document: object, source: str
) -> Response:
    try:
        profile = checked_profile(document, applicant, source)
    except FormatError as e:
        return _profile_page(request, portal, applicant, _lines(e), status=422)
    save_profile(portal, applicant, profile, actor)
    return _done(request, "/applicant/plan/profile", "Profile saved: the plan now follows it.")


@router.post("/profile/reset", dependencies=[Depends(csrf_protected)])
def reset_profile(
    request: Request, portal: PortalDep, account: AccountDep, applicant: ApplicantDep
) -> Response:
    """Forget the saved profile: the planner derives it again from the market record."""
    planner_store.forget_planner_profile(portal.store, applicant, actor=account.username)
    return _done(
        request, "/applicant/plan/profile", "Profile reset to the one derived from your market record."
    )


@router.get("/profile.json")
def download_profile(portal: PortalDep, applicant: ApplicantDep) -> Response:
    """The profile as a ``matchweek.profile/1`` file."""
    profile, _ = current_profile(portal, applicant)
    return Download("profile.json", "application/json", encode_json(profile_to_document(profile))).response()


def _edited_profile(form: FormData) -> dict[str, Any]:
    """The priorities and criteria the profile form holds, as parts of a ``matchweek.profile/1`` document.

    Numbers that do not read as numbers are passed on as text, so that the profile's reader
    names the field at fault.
    """
    tiers: list[dict[str, Any]] = []
    for t in range(MAX_TIERS):
        prefix = f"tier_{t}_"
        if f"{prefix}name" not in form:
            break
        entries: list[dict[str, Any]] = []
        for e in range(MAX_ENTRIES):
            key = f"{prefix}entry_{e}_specialty"
            if key not in form:
                break
            specialty = filters.text(_field(form, key))
            if specialty is not None:
                tracks = _fields(form, f"{prefix}entry_{e}_tracks")
                entries.append(
                    {"specialty": specialty, "tracks": tracks} if tracks else {"specialty": specialty}
                )
        if entries:
            tier: dict[str, Any] = {"programs": entries}
            name = filters.text(_field(form, f"{prefix}name"))
            if name is not None:
                tier["name"] = name
            _put_number(tier, "utility", _field(form, f"{prefix}utility"))
            tiers.append(tier)
    must = {
        "visas": _fields(form, "must_visas"),
        "tracks": _fields(form, "must_tracks"),
        "excluded_states": [s.upper() for s in re.split(r"[\s,;]+", _field(form, "excluded_states")) if s],
    }
    preferences: dict[str, Any] = {
        "regions": [r.strip() for r in _field(form, "regions").split(",") if r.strip()],
        "tracks": _fields(form, "preferred_tracks"),
    }
    for key in ("region_weight", "track_weight", "size_weight", "min_positions", "max_positions"):
        _put_number(preferences, key, _field(form, key))
    return {"priorities": tiers, "criteria": {"must_haves": must, "preferences": preferences}}


def _whole_or_text(raw: str) -> int | str:
    """A form's whole number as an int; anything else as it was typed, for the check to name."""
    text = raw.strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else raw


def _field(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _fields(form: FormData, key: str) -> list[str]:
    return [v for v in form.getlist(key) if isinstance(v, str) and v]


def _put_number(into: dict[str, Any], key: str, raw: str) -> None:
    """Set ``into[key]`` to the number ``raw`` holds (a whole one as an int); as text if it is none."""
    text = filters.text(raw)
    if text is None:
        return
    try:
        number = float(text)
    except ValueError:
        into[key] = text
        return
    into[key] = int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


# --- the tracker ----------------------------------------------------------------------------------


@router.get("/tracker")
def tracker_page(request: Request, portal: PortalDep, applicant: ApplicantDep) -> Response:
    return _tracker_page(request, portal, applicant, [])


def _tracker_page(
    request: Request, portal: Portal, applicant: str, problems: list[str], *, status: int = 200
) -> Response:
    context = {
        "section": "plan",
        "rows": tracker(portal, applicant),
        "status": reads.applicant_status(portal, applicant),
        "problems": problems,
    }
    return render(request, "planner/tracker.html", context, status=status)


@router.post("/tracker/import", dependencies=[Depends(csrf_protected)])
def import_tracker(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Replace the tracker with an uploaded CSV file or workbook, refused whole if any cell is wrong."""
    try:
        document = read_uploaded_tracker(file.filename or "", file.file.read())
    except FormatError as e:
        return _tracker_page(request, portal, applicant, _lines(e), status=422)
    save_tracker(portal, applicant, document, account.username)
    n = len(document.programs)
    return _done(request, "/applicant/plan/tracker", f"Tracker imported: {n} program{'s' if n != 1 else ''}.")


@router.post("/tracker/from-plan", dependencies=[Depends(csrf_protected)])
def fill_from_plan(
    request: Request, portal: PortalDep, account: AccountDep, applicant: ApplicantDep
) -> Response:
    """Put the optimal list's programs at the top of the tracker with their current odds and utility,
    keeping what was written in their rows; other rows stay below."""
    picks = plan_view(portal, applicant).planned.picks
    rows = tracker_from_picks(picks, tracker(portal, applicant))
    save_tracker(portal, applicant, checked_tracker(rows, None, lambda i: f"row {i + 1}"), account.username)
    return _done(
        request, "/applicant/plan/tracker", f"Tracker filled with the {len(picks)} programs of your plan."
    )


@router.post("/tracker/{code}", dependencies=[Depends(csrf_protected)])
def edit_tracked(
    request: Request,
    portal: PortalDep,
    account: AccountDep,
    applicant: ApplicantDep,
    code: Identifier,
    interest: Annotated[str, Form(max_length=20)] = "",
    interview_time: Annotated[str, Form(max_length=100)] = "",
    interview_contact: Annotated[str, Form(max_length=1000)] = "",
    notes: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    """Change what the applicant wrote in one row. htmx gets the row back (with the refusal in it, if
    any); a plain form goes back to the page."""
    rows = {r.program: r for r in tracker(portal, applicant)}
    row = rows.get(code)
    if row is None:
        raise NotFound(f"program {code} is not in your tracker")
    edits: dict[str, object] = dict(
        zip(EDITABLE, (interest, interview_time, interview_contact, notes), strict=True)
    )
    edits["interest"] = _whole_or_text(interest)
    fragment = request.headers.get("hx-request") == "true"
    try:
        edited = TrackedProgramDocument.model_validate(
            {**asdict(row), **{k: filters.text(v) if isinstance(v, str) else v for k, v in edits.items()}}
        )
    except ValidationError as e:
        problems = [f"{code}, {fault}" for fault in validation_faults(e)]
        if fragment:
            return render(request, "planner/tracker_row.html", {"r": row, "row_problems": problems})
        return _tracker_page(request, portal, applicant, problems, status=422)
    save_tracked_program(portal, applicant, edited, account.username)
    if not fragment:
        return _done(request, "/applicant/plan/tracker", f"Tracker row {code} saved.")
    saved = next(r for r in tracker(portal, applicant) if r.program == code)
    return render(request, "planner/tracker_row.html", {"r": saved, "saved": True})


@router.post("/tracker/{code}/remove", dependencies=[Depends(csrf_protected)])
def remove_tracked(
    request: Request, portal: PortalDep, account: AccountDep, applicant: ApplicantDep, code: Identifier
) -> Response:
    if not planner_store.remove_tracker_record(portal.store, applicant, code, actor=account.username):
        raise NotFound(f"program {code} is not in your tracker")
    if request.headers.get("hx-request") == "true":
        return Response("")
    return _done(request, "/applicant/plan/tracker", f"{code} removed from the tracker.")


# --- helpers --------------------------------------------------------------------------------------


def _done(request: Request, back: str, message: str) -> RedirectResponse:
    session_of(request).add_flash("ok", message)
    return RedirectResponse(back, status_code=303)


def _lines(error: FormatError) -> list[str]:
    prefix = f"{error.source}: " if error.source else ""
    return [prefix + str(f) for f in error.faults]
