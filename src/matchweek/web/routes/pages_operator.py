"""The operator's pages: the week at a glance and its schedule, set-up, dashboards, exports, audit, accounts.

Every route requires the operator account; each change is recorded with the operator's
username as its actor.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import Response

from matchweek.model import WeekTime
from matchweek.store import Role, StoreError
from matchweek.web import actions, reads, transfer
from matchweek.web.charts import dashboard_charts
from matchweek.web.deps import OperatorDep, PortalDep, csrf_protected
from matchweek.web.problems import BadInput
from matchweek.web.routes import filters
from matchweek.web.routes.outcome import carry_out
from matchweek.web.templating import render
from matchweek.web.views.operator import audit_entries, market_summary

UPLOAD_PAGE_PATH = "/operator/market"

router = APIRouter(prefix="/operator")

POLICY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("max_applications", "Applications per applicant", "number"),
    ("letters_per_application", "Letters per application", "number"),
    ("rounds", "Offer rounds", "number"),
    ("response_window_minutes", "Response window (minutes)", "number"),
    ("round_interval_minutes", "From one round's opening to the next (minutes)", "number"),
    ("status_release", "Match status released", "text"),
    ("list_release", "List of Unfilled Programs released", "text"),
    ("review_start", "Programs start reviewing", "text"),
    ("first_round_opens", "Round 1 opens", "text"),
    ("soap_end", "SOAP ends", "text"),
)
"""The policy values the start-SOAP form offers: name, label, input type."""

AUDIT_PAGE = 200


@router.get("")
def overview_page(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    return render(request, "operator/overview.html", {"section": "overview", "o": reads.overview(portal)})


@router.post("/clock", dependencies=[Depends(csrf_protected)])
def move_clock(
    request: Request,
    portal: PortalDep,
    account: OperatorDep,
    at: Annotated[str, Form(max_length=20)],
) -> Response:
    def change() -> str:
        try:
            to = WeekTime.parse(at.strip())
        except ValueError as e:
            raise BadInput(str(e)) from None
        return actions.move_clock(portal, account, to)

    return carry_out(request, "/operator", change)


@router.get("/market")
def market_page(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    market = portal.store.market()
    context = {
        "section": "market",
        "o": reads.overview(portal),
        "market": market_summary(market) if market is not None else None,
        "policy_fields": POLICY_FIELDS,
        "defaults": _policy_defaults(),
    }
    return render(request, "operator/market.html", context)


def _policy_defaults() -> dict[str, object]:
    from matchweek.model import Policy

    return Policy().to_dict()


@router.post(UPLOAD_PAGE_PATH.removeprefix("/operator"), dependencies=[Depends(csrf_protected)])
def upload_market(
    request: Request,
    portal: PortalDep,
    account: OperatorDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    def change() -> str:
        market = transfer.read_uploaded_market(file.filename or "upload", file.file.read())
        portal.store.load_market(market, actor=account.username)
        s = market_summary(market)
        return (
            f"Market loaded: {s.programs:,} programs with {s.positions:,} positions, "
            f"{s.applicants:,} applicants."
        )

    return carry_out(request, "/operator/market", change)


@router.post("/main-match", dependencies=[Depends(csrf_protected)])
def run_main_match(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    def change() -> str:
        result = portal.store.run_main_match(actor=account.username)
        return (
            f"Main Match run: {len(result.matches):,} positions filled, "
            f"{sum(result.unfilled.values()):,} unfilled."
        )

    return carry_out(request, "/operator/market", change)


class StartSoapForm(BaseModel):
    """The start-SOAP form: policy values as typed; empty fields keep the rule book's defaults."""

    max_applications: str = Field(default="", max_length=20)
    letters_per_application: str = Field(default="", max_length=20)
    rounds: str = Field(default="", max_length=20)
    response_window_minutes: str = Field(default="", max_length=20)
    round_interval_minutes: str = Field(default="", max_length=20)
    status_release: str = Field(default="", max_length=20)
    list_release: str = Field(default="", max_length=20)
    review_start: str = Field(default="", max_length=20)
    first_round_opens: str = Field(default="", max_length=20)
    soap_end: str = Field(default="", max_length=20)


@router.post("/soap/start", dependencies=[Depends(csrf_protected)])
def start_soap(
    request: Request, portal: PortalDep, account: OperatorDep, form: Annotated[StartSoapForm, Form()]
) -> Response:
    def change() -> str:
        overrides: dict[str, object] = {}
        for name, _label, kind in POLICY_FIELDS:
            value = filters.text(getattr(form, name))
            if value is None:
                continue
            overrides[name] = filters.whole(value, name, low=0, high=100_000) if kind == "number" else value
        return actions.start_soap(portal, account, overrides)

    return carry_out(request, "/operator", change)


@router.get("/dashboard")
def dashboard_page(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    try:
        stats = portal.store.round_stats()
    except StoreError as e:
        return render(
            request,
            "operator/dashboard.html",
            {"section": "dashboard", "charts": (), "note": str(e)},
        )
    context = {
        "section": "dashboard",
        "charts": dashboard_charts(stats),
        "note": None,
        "stats": stats,
    }
    return render(request, "operator/dashboard.html", context)


@router.get("/exports")
def exports_page(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    return render(
        request,
        "operator/exports.html",
        {"section": "exports", "exports": reads.EXPORTS},
    )


@router.get("/exports/{name}")
def export_file(
    portal: PortalDep, account: OperatorDep, name: Annotated[str, Path(max_length=40)]
) -> Response:
    return reads.export(portal, name).response()


@router.get("/audit")
def audit_page(
    request: Request,
    portal: PortalDep,
    account: OperatorDep,
    since: Annotated[int, Query(ge=0, le=10**12)] = 0,
) -> Response:
    entries = audit_entries(portal.store.events(since=since, limit=AUDIT_PAGE))
    context = {
        "section": "audit",
        "entries": entries,
        "since": since,
        "next_since": entries[-1].seq if len(entries) == AUDIT_PAGE else None,
        "last_seq": portal.store.last_seq(),
        "page": AUDIT_PAGE,
    }
    return render(request, "operator/audit.html", context)


@router.get("/accounts")
def accounts_page(request: Request, portal: PortalDep, account: OperatorDep) -> Response:
    return render(
        request, "operator/accounts.html", {"section": "accounts", "accounts": portal.store.accounts()}
    )


@router.post("/accounts", dependencies=[Depends(csrf_protected)])
def create_account(
    request: Request,
    portal: PortalDep,
    account: OperatorDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=16)],
    programs: Annotated[str, Form(max_length=2000)] = "",
    applicant: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    def change() -> str:
        try:
            chosen = Role(role)
        except ValueError:
            raise BadInput(f"role: one of {', '.join(r.value for r in Role)}") from None
        created = portal.store.create_account(
            username.strip(),
            password,
            chosen,
            programs=[c for c in programs.replace(",", " ").split() if c],
            applicant=applicant.strip() or None,
            display_name=display_name.strip() or None,
        )
        return f"Account {created.username} ({created.role.value}) created."

    return carry_out(request, "/operator/accounts", change)
