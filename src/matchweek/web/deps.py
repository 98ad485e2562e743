"""Request dependencies: the clock ticks first; then who is asking, and whether they may (always server-side).

Authorization lives here so that every route states it in its signature: a route for
applicants takes :func:`own_applicant`, one for a program's data takes
:func:`managed_program`, operator routes take :func:`operator_account`. The CSRF check
(:func:`csrf_protected`) guards every state-changing request that a browser could send
with its cookie.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from matchweek.errors import MatchweekError
from matchweek.store import Account, Role
from matchweek.web.portal import Portal, portal_of
from matchweek.web.problems import CsrfRejected, Forbidden, NotFound, NotSignedIn
from matchweek.web.schemas import Identifier
from matchweek.web.sessions import session_of

log = logging.getLogger("matchweek.web")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


async def tick_clock(request: Request) -> None:
    """Fire every schedule step now due, so the request sees the week as the clock has it.

    Whether a step is due is answered from memory; only then is the store asked to carry it
    out (in a worker thread: it writes to the database).
    """
    portal = portal_of(request)
    if portal.store.step_due():
        try:
            await run_in_threadpool(portal.store.tick)
        except MatchweekError:
            # A step the engine refuses must not take the portal down; the operator sees it in the log.
            log.exception("the schedule step due now could not be carried out")
    request.state.clock = portal.now()


def current_account(request: Request) -> Account | None:
    """The signed-in account, or None (also when the account no longer exists)."""
    username = _account_to_read(request)
    if username is not None:
        request.state.account = portal_of(request).store.account(username)
    return request.state.account  # type: ignore[no-any-return]


async def _current_account(request: Request) -> Account | None:
    """:func:`current_account` for dependencies: an account not yet in memory is read in a worker thread."""
    username = _account_to_read(request)
    if username is not None:
        request.state.account = await run_in_threadpool(portal_of(request).store.account, username)
    return request.state.account  # type: ignore[no-any-return]


def _account_to_read(request: Request) -> str | None:
    """The username whose account must still be read from the database; None when ``request.state.account``
    already holds the answer (looked up before, nobody signed in, or an account the store has in memory)."""
    if hasattr(request.state, "account"):
        return None
    user = session_of(request).user
    account = portal_of(request).store.cached_account(user) if user is not None else None
    if user is None or account is not None:
        request.state.account = account
        return None
    return user


# The dependencies below only look at memory, so they run on the event loop (a sync dependency would
# cost a trip to the worker threads on every request).


async def signed_in(request: Request) -> Account:
    """The signed-in account; NotSignedIn (401, or the sign-in page for pages) without one."""
    account = await _current_account(request)
    if account is None:
        raise NotSignedIn()
    return account


async def operator_account(account: Annotated[Account, Depends(signed_in)]) -> Account:
    """The signed-in operator; Forbidden for anyone else."""
    if account.role is not Role.OPERATOR:
        raise Forbidden("only the clearinghouse operator may see or do this")
    return account


async def own_applicant(account: Annotated[Account, Depends(signed_in)]) -> str:
    """The applicant id of the signed-in applicant account; Forbidden for other roles."""
    if account.role is not Role.APPLICANT or account.applicant is None:
        raise Forbidden("this is for applicants: sign in with an applicant account")
    return account.applicant


async def program_account(account: Annotated[Account, Depends(signed_in)]) -> Account:
    """The signed-in program account (or operator, who sees every program); Forbidden for applicants."""
    if account.role not in (Role.PROGRAM, Role.OPERATOR):
        raise Forbidden("this is for programs: sign in with a program account")
    return account


async def managed_program(
    request: Request,
    code: Annotated[Identifier, Path(description="program code")],
    account: Annotated[Account, Depends(program_account)],
) -> str:
    """A program code the signed-in account manages (an operator manages all) and that takes part in SOAP.

    Forbidden for a program the account does not manage; NotFound for one not in SOAP.
    """
    if account.role is Role.PROGRAM and code not in account.programs:
        raise Forbidden(f"account {account.username} does not manage program {code}")
    if code not in portal_of(request).store.state().programs:
        raise NotFound(f"program {code} is not taking part in SOAP")
    return code


async def portal(request: Request) -> Portal:
    """The portal serving the request."""
    return portal_of(request)


async def csrf_protected(request: Request) -> None:
    """Refuse (403) a state-changing request without the session's CSRF token.

    The token comes in the ``X-CSRF-Token`` header (htmx and API clients using the
    cookie) or the ``csrf_token`` form field. Requests authenticated by a bearer token
    need none: a browser never adds that header by itself.
    """
    if request.method in SAFE_METHODS:
        return
    session = session_of(request)
    if session.via_bearer:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or session.fresh or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise CsrfRejected()


PortalDep = Annotated[Portal, Depends(portal)]
OperatorDep = Annotated[Account, Depends(operator_account)]
ApplicantDep = Annotated[str, Depends(own_applicant)]
ProgramDep = Annotated[str, Depends(managed_program)]
AccountDep = Annotated[Account, Depends(signed_in)]
