"""API sessions: sign in for a bearer token, see who you are, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from matchweek.store import Account
from matchweek.web.deps import AccountDep, PortalDep, csrf_protected
from matchweek.web.problems import NotSignedIn, TooManyAttempts
from matchweek.web.schemas import AccountOut, SessionIn, SessionOut, refusals
from matchweek.web.sessions import session_of

router = APIRouter(prefix="/api", tags=["session"])

_REFUSALS = refusals(
    {401: "wrong username or password", 429: "too many failed sign-ins for this username from this address"}
)


def account_out(account: Account) -> AccountOut:
    """An account as the API shows it."""
    return AccountOut(
        username=account.username,
        role=account.role.value,  # type: ignore[arg-type]
        programs=list(account.programs),
        applicant=account.applicant,
        display_name=account.display_name,
    )


@router.post("/session", status_code=201, responses=_REFUSALS)
def sign_in(credentials: SessionIn, request: Request, portal: PortalDep) -> SessionOut:
    """Sign in: the token returned authenticates later calls as ``Authorization: Bearer <token>``.

    Five failed sign-ins for one username from one address within a minute block that pair
    for the rest of the minute (429, with ``Retry-After``).
    """
    address = request.client.host if request.client is not None else "unknown"
    wait = portal.throttle.retry_after(credentials.username, address)
    if wait is not None:
        raise TooManyAttempts(wait)
    account = portal.store.authenticate(credentials.username, credentials.password)
    if account is None:
        portal.throttle.failed(credentials.username, address)
        raise NotSignedIn("wrong username or password")
    portal.throttle.succeeded(credentials.username, address)
    session = portal.keeper.new(account.username)
    return SessionOut(
        token=portal.keeper.token(session),
        expires_in=portal.keeper.max_age,
        account=account_out(account),
    )


@router.get("/session", responses=refusals())
def who_am_i(account: AccountDep) -> AccountOut:
    """The signed-in account."""
    return account_out(account)


@router.delete(
    "/session",
    status_code=204,
    dependencies=[Depends(csrf_protected)],
    responses=refusals(),
)
def sign_out(request: Request, portal: PortalDep, account: AccountDep) -> Response:
    """Sign out: the token (or cookie session) stops working at once."""
    session = session_of(request)
    if session.via_bearer:
        portal.keeper.revoke(session)
    else:
        portal.keeper.sign_out(session)
    return Response(status_code=204)
