"""Reading the store for pages and the API alike: each read holds the live state still while it looks.

The store's live state changes as commands are recorded; every read here runs inside
``store.reading()`` so a page never sees half a command, and then builds the values
the views define. Access rules that depend on the week's state (the unfilled list only
for eligible applicants, applications only from review start, a program's applicants
only if they applied to it) are checked here and raise the portal's refusals.
"""

from __future__ import annotations

from matchweek.model import SoapProgram
from matchweek.soap import soap_result, unfilled_positions, visible_programs
from matchweek.store import Account, Role
from matchweek.web import transfer
from matchweek.web.portal import Portal
from matchweek.web.problems import Conflict, Forbidden, NotFound
from matchweek.web.schedule import review_open
from matchweek.web.schemas import (
    ApplicantDetailOut,
    ApplicantStatusOut,
    ApplicantTableOut,
    ApplicationOut,
    DocumentsOut,
    HistoryEntryOut,
    OfferOut,
    OverviewOut,
    PreferenceListOut,
    ProgramOut,
    RoundStatusOut,
    UnfilledListOut,
)
from matchweek.web.views import applicant as applicant_views
from matchweek.web.views import operator as operator_views
from matchweek.web.views import program as program_views

# --- applicant -----------------------------------------------------------------------------------


def applicant_status(portal: Portal, applicant: str) -> ApplicantStatusOut:
    holdings = portal.holdings()
    with portal.store.reading() as state:
        return applicant_views.applicant_status(state, holdings, applicant)


def unfilled(
    portal: Portal, applicant: str, wanted: applicant_views.UnfilledFilter
) -> tuple[bool, str, UnfilledListOut]:
    """Whether the applicant may see the list, why (not), and the list as filtered."""
    catalogue = portal.catalogue()
    with portal.store.reading() as state:
        visible, note = applicant_views.unfilled_list_access(state, applicant)
        return visible, note, applicant_views.unfilled_list(state, catalogue, applicant, wanted)


def program_on_list(portal: Portal, applicant: str, code: str) -> tuple[SoapProgram, int, bool]:
    """A program on the applicant's List of Unfilled Programs: its details, open positions, and whether
    the applicant applied. Forbidden when the list is not open to the applicant; NotFound for a
    program not on it."""
    with portal.store.reading() as state:
        visible, note = applicant_views.unfilled_list_access(state, applicant)
        if not visible:
            raise Forbidden(f"the List of Unfilled Programs is not open to you: {note}")
        if code not in visible_programs(state, applicant):
            raise NotFound(f"program {code} is not on your List of Unfilled Programs")
        return (
            state.programs[code].info,
            unfilled_positions(state).get(code, 0),
            code in state.applicants[applicant].applications,
        )


def documents(portal: Portal, applicant: str) -> DocumentsOut:
    with portal.store.reading() as state:
        policy = state.policy
    return applicant_views.documents(portal.catalogue(), applicant, policy)


def applications(portal: Portal, applicant: str) -> list[ApplicationOut]:
    stored = portal.store.applications_of(applicant)
    with portal.store.reading() as state:
        return applicant_views.applications(state, stored)


def offers(portal: Portal, applicant: str) -> list[OfferOut]:
    with portal.store.reading() as state:
        return applicant_views.offers(state, applicant, portal.store.clock.wall_time_of)


def history(portal: Portal, applicant: str) -> list[HistoryEntryOut]:
    """The applicant's events. The log's first event opens SOAP and lists every entrant and program;
    it is the largest by far and concerns no applicant in particular, so it is not read."""
    return applicant_views.history(portal.store.events(since=1), applicant)


def applicant_record(
    portal: Portal, account: Account, applicant: str
) -> tuple[ApplicantStatusOut, list[OfferOut]]:
    """Another applicant's status and offers, for the operator, or an applicant's own.

    Forbidden for anyone else: offers are seen only by their applicant and the operator
    (a program sees its own offers in its round status).
    """
    if account.role is Role.APPLICANT and account.applicant != applicant:
        raise Forbidden("an applicant sees only its own status and offers")
    if account.role is Role.PROGRAM:
        raise Forbidden("a program sees its own offers in its round status, not an applicant's offers")
    with portal.store.reading() as state:
        if account.role is Role.OPERATOR and applicant not in state.applicants:
            known = portal.catalogue()
            if known is None or applicant not in known.applicants:
                raise NotFound(f"no applicant {applicant}")
    return applicant_status(portal, applicant), offers(portal, applicant)


# --- program -------------------------------------------------------------------------------------


def programs_of(portal: Portal, account: Account) -> list[ProgramOut]:
    """The SOAP programs the account manages (every one for the operator), by code."""
    with portal.store.reading() as state:
        codes = state.program_order if account.role is Role.OPERATOR else sorted(account.programs)
        return [program_views.program_summary(state, c) for c in codes if c in state.programs]


def program(portal: Portal, code: str) -> ProgramOut:
    with portal.store.reading() as state:
        return program_views.program_summary(state, code)


def may_review(portal: Portal) -> tuple[bool, str]:
    """Whether programs may review applications now (§3), and when they may if not."""
    with portal.store.reading() as state:
        policy = state.policy
    if policy is None:
        return False, "SOAP has not started."
    if review_open(policy, portal.now()):
        return True, ""
    return False, f"Programs review applications from {policy.review_start}."


def _check_review(portal: Portal) -> None:
    allowed, note = may_review(portal)
    if not allowed:
        raise Conflict(note)


def applicant_table(portal: Portal, code: str, wanted: program_views.ApplicantFilter) -> ApplicantTableOut:
    """The program's applicants; Conflict before programs may review applications."""
    _check_review(portal)
    catalogue = portal.catalogue()
    with portal.store.reading() as state:
        return program_views.applicant_table(state, catalogue, code, wanted)


def applicant_detail(portal: Portal, code: str, applicant: str) -> ApplicantDetailOut:
    """One applicant's file for ``code``; NotFound unless it applied to ``code`` (§4)."""
    _check_review(portal)
    with portal.store.reading() as state:
        applied = applicant in state.programs[code].applicants
    if not applied:
        raise NotFound(f"applicant {applicant} has not applied to {code}")
    application = next((a for a in portal.store.applications_of(applicant) if a.program == code), None)
    catalogue = portal.catalogue()
    with portal.store.reading() as state:
        return program_views.applicant_detail(
            state,
            catalogue,
            code,
            applicant,
            application.personal_statement if application is not None else None,
            application.letters if application is not None else (),
            application.submitted_at if application is not None else None,
        )


def preference_list(portal: Portal, code: str) -> PreferenceListOut:
    with portal.store.reading() as state:
        return program_views.preference_list(state, code, portal.store.clock.wall_time_of)


def list_facts(portal: Portal, code: str, applicants: list[str]) -> dict[str, str]:
    """A line of what programs screen on for each applicant who applied to ``code`` (for the list editor)."""
    catalogue = portal.catalogue()
    with portal.store.reading() as state:
        applied = state.programs[code].applicants
        rows = [program_views.applicant_row(state, catalogue, code, a) for a in applicants if a in applied]
    return {r.id: program_views.row_summary(r) for r in rows}


def addable(portal: Portal, code: str, listed: list[str]) -> list[str]:
    """Applicants who applied to ``code`` and are not in ``listed``."""
    with portal.store.reading() as state:
        return program_views.addable_applicants(state, code, listed)


def round_status(portal: Portal, code: str) -> RoundStatusOut:
    with portal.store.reading() as state:
        return program_views.round_status(state, code)


# --- operator ------------------------------------------------------------------------------------


def overview(portal: Portal) -> OverviewOut:
    accounts = portal.store.account_count()
    with portal.store.reading() as state:
        return operator_views.overview(
            now=portal.now(),
            wall_time_of=portal.store.clock.wall_time_of,
            market=portal.store.market(),
            match_result=portal.store.match_result(),
            state=state,
            accounts=accounts,
        )


EXPORTS: dict[str, str] = {
    "market.json": "Market (matchweek.market/1 JSON)",
    "market.xlsx": "Market (XLSX workbook)",
    "market-csv.zip": "Market (CSV tables, zipped)",
    "result.json": "Main Match result (matchweek.result/1 JSON)",
    "result.xlsx": "Main Match result (XLSX workbook)",
    "result-csv.zip": "Main Match result (CSV tables, zipped)",
    "soap-result.json": "SOAP result so far (matchweek.soap-result/1 JSON)",
    "soap-events.jsonl": "SOAP event log (JSON Lines)",
    "week-stats.json": "Week figures (matchweek.week-stats/1 JSON)",
}
"""The files the operator can download, by name."""


def export(portal: Portal, name: str) -> transfer.Download:
    """The export called ``name``; NotFound for an unknown name, Conflict when its data does not exist yet."""
    if name not in EXPORTS:
        raise NotFound(f"no export {name!r} (one of {', '.join(EXPORTS)})")
    stem, _, form = name.partition(".")
    if stem.startswith("market"):
        market = portal.store.market()
        if market is None:
            raise Conflict("no market loaded")
        return transfer.market_download(market, "csv" if form == "zip" else form)
    if stem.startswith("result"):
        result = portal.store.match_result()
        if result is None:
            raise Conflict("the Main Match has not run")
        return transfer.result_download(result, "csv" if form == "zip" else form)
    with portal.store.reading() as state:
        if not state.started:
            raise Conflict("SOAP has not started")
        if stem == "soap-result":
            return transfer.soap_result_download(soap_result(state))
    if stem == "soap-events":
        return transfer.event_log_download(s.event for s in portal.store.events())
    return transfer.stats_download(portal.store.round_stats())
