"""Signing in and out, and the front door that sends each role to its home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from matchweek.store import Account, Role
from matchweek.web.deps import PortalDep, csrf_protected, current_account
from matchweek.web.problems import TooManyAttempts
from matchweek.web.routes.outcome import local_path
from matchweek.web.sessions import session_of
from matchweek.web.templating import render

router = APIRouter()

HOME = {Role.OPERATOR: "/operator", Role.PROGRAM: "/program", Role.APPLICANT: "/applicant"}


def home_of(account: Account) -> str:
    """The page an account lands on."""
    return HOME[account.role]


@router.get("/")
def front_door(request: Request) -> Response:
    account = current_account(request)
    return RedirectResponse(home_of(account) if account is not None else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    account = current_account(request)
    if account is not None:
        return RedirectResponse(home_of(account), status_code=303)
    return render(request, "login.html", {"next": local_path(next, ""), "error": None, "username": ""})


@router.post("/login", dependencies=[Depends(csrf_protected)])
def login(
    request: Request,
    portal: PortalDep,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    address = request.client.host if request.client is not None else "unknown"
    wait = portal.throttle.retry_after(username, address)
    if wait is not None:
        raise TooManyAttempts(wait)
    account = portal.store.authenticate(username, password)
    if account is None:
        portal.throttle.failed(username, address)
        context = {"next": local_path(next, ""), "error": "Wrong username or password.", "username": username}
        return render(request, "login.html", context, status=401)
    portal.throttle.succeeded(username, address)
    portal.keeper.sign_in(session_of(request), account.username)
    return RedirectResponse(local_path(next, home_of(account)), status_code=303)


@router.post("/logout", dependencies=[Depends(csrf_protected)])
def logout(request: Request, portal: PortalDep) -> Response:
    portal.keeper.sign_out(session_of(request))
    session_of(request).add_flash("ok", "You are signed out.")
    return RedirectResponse("/login", status_code=303)
