"""The operator's API: load a market, run the Main Match, start SOAP, move the clock, figures, exports,
the audit log and accounts. Operator accounts only (403 for everyone else)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from starlette.responses import Response

from matchweek.formats.result_json import result_to_document
from matchweek.formats.soap_result_json import soap_result_to_document
from matchweek.model import WeekTime
from matchweek.soap import soap_result
from matchweek.web import actions, reads, transfer
from matchweek.web.deps import OperatorDep, PortalDep, csrf_protected
from matchweek.web.problems import Conflict
from matchweek.web.routes.api_session import account_out
from matchweek.web.schemas import (
    AccountIn,
    AccountOut,
    ClockIn,
    EventOut,
    LoadOut,
    MainMatchOut,
    OverviewOut,
    PolicyIn,
    ResultDocument,
    SoapResultDocument,
    refusals,
)
from matchweek.web.views.operator import audit_entries, main_match_summary, market_summary

UPLOAD_API_PATH = "/api/operator/market"

ExportName = Literal[
    "market.json",
    "market.xlsx",
    "market-csv.zip",
    "result.json",
    "result.xlsx",
    "result-csv.zip",
    "soap-result.json",
    "soap-events.jsonl",
    "week-stats.json",
]

router = APIRouter(prefix="/api/operator", tags=["operator"], dependencies=[Depends(csrf_protected)])

_READ = refusals({403: "not the operator"})
_CHANGE = refusals(
    {403: "not the operator", 409: "the week's state or a rule refuses it (one line naming what)"}
)


@router.get("/overview", responses=_READ)
def overview(portal: PortalDep, account: OperatorDep) -> OverviewOut:
    """The clock, the market, the Main Match, SOAP and its schedule."""
    return reads.overview(portal)


@router.post(
    UPLOAD_API_PATH.removeprefix("/api/operator"),
    status_code=201,
    responses=_CHANGE,
)
def load_market(file: Annotated[UploadFile, File()], portal: PortalDep, account: OperatorDep) -> LoadOut:
    """Load a market (``.json`` matchweek.market/1, ``.xlsx``, or ``.zip`` of CSV tables), replacing
    any earlier one; refused once SOAP has started."""
    market = transfer.read_uploaded_market(file.filename or "upload", file.file.read())
    portal.store.load_market(market, actor=account.username)
    return LoadOut(market=market_summary(market))


@router.post("/main-match", responses=_CHANGE)
def run_main_match(portal: PortalDep, account: OperatorDep) -> MainMatchOut:
    """Run the Main Match on the loaded market."""
    return main_match_summary(portal.store.run_main_match(actor=account.username))


@router.post("/soap", status_code=201, responses=_CHANGE)
def start_soap(body: PolicyIn, portal: PortalDep, account: OperatorDep) -> OverviewOut:
    """Start SOAP after the Main Match under the policy given (values left out: the rule book's)."""
    actions.start_soap(portal, account, body.overrides())
    return reads.overview(portal)


@router.post("/clock", responses=_CHANGE)
def move_clock(body: ClockIn, portal: PortalDep, account: OperatorDep) -> OverviewOut:
    """Move the clock forward to a Match Week time; every step due by then happens, in order."""
    actions.move_clock(portal, account, WeekTime.parse(body.at))
    return reads.overview(portal)


@router.get("/result", responses=refusals({403: "not the operator", 409: "the Main Match has not run"}))
def main_match_result(portal: PortalDep, account: OperatorDep) -> ResultDocument:
    """The Main Match result as ``matchweek.result/1``."""
    result = portal.store.match_result()
    if result is None:
        raise Conflict("the Main Match has not run")
    return ResultDocument.model_validate(result_to_document(result))


@router.get("/soap-result", responses=refusals({403: "not the operator", 409: "SOAP has not started"}))
def soap_outcome(portal: PortalDep, account: OperatorDep) -> SoapResultDocument:
    """SOAP so far as ``matchweek.soap-result/1``: each round's offers and answers, matches, unfilled."""
    with portal.store.reading() as state:
        if not state.started:
            raise Conflict("SOAP has not started")
        document = soap_result_to_document(soap_result(state))
    return SoapResultDocument.model_validate(document)


@router.get("/stats", responses=refusals({403: "not the operator", 409: "SOAP has not started"}))
def stats(portal: PortalDep, account: OperatorDep) -> dict[str, Any]:
    """The week's figures (``matchweek.week-stats/1``): by round, specialty and applicant kind."""
    from matchweek.week.stats import stats_to_json

    return stats_to_json(portal.store.round_stats())


@router.get("/events", responses=_READ)
def events(
    portal: PortalDep,
    account: OperatorDep,
    since: Annotated[int, Query(ge=0, le=10**12, description="events after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[EventOut]:
    """The audit log: each SOAP event with who caused it and when it was recorded."""
    return audit_entries(portal.store.events(since=since, limit=limit))


@router.get(
    "/exports/{name}",
    responses={
        **refusals({403: "not the operator", 409: "its data does not exist yet"}),
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                transfer.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
            "description": "the file, as an attachment",
        },
    },
    response_class=Response,
)
def export(name: ExportName, portal: PortalDep, account: OperatorDep) -> Response:
    """Download a file: the market or the Main Match result as JSON, XLSX or zipped CSV tables, the
    SOAP result, the event log, or the week's figures."""
    return reads.export(portal, name).response()


@router.get("/accounts", responses=_READ)
def accounts(portal: PortalDep, account: OperatorDep) -> list[AccountOut]:
    """Every portal account (never a password)."""
    return [account_out(a) for a in portal.store.accounts()]


@router.post("/accounts", status_code=201, responses=_CHANGE)
def create_account(body: AccountIn, portal: PortalDep, account: OperatorDep) -> AccountOut:
    """Create an account: a program account names the programs it manages, an applicant account its id."""
    created = portal.store.create_account(
        body.username,
        body.password,
        body.role,  # type: ignore[arg-type]
        programs=body.programs,
        applicant=body.applicant,
        display_name=body.display_name,
    )
    return account_out(created)
