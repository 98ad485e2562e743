"""The portal's application factory: FastAPI with pages for each role, the JSON API, the clock's heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio
import plotly
from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from matchweek import __version__
from matchweek.errors import FormatError, MatchweekError, PolicyError
from matchweek.soap import RuleViolation
from matchweek.store import Store, StoreError
from matchweek.web.deps import tick_clock
from matchweek.web.guards import BodyLimit, SecurityHeaders
from matchweek.web.portal import Portal
from matchweek.web.problems import NotSignedIn, PortalRefusal, TooManyAttempts
from matchweek.web.routes import (
    api_applicant,
    api_operator,
    api_planner,
    api_program,
    api_session,
    pages_applicant,
    pages_auth,
    pages_operator,
    pages_planner,
    pages_program,
)
from matchweek.web.routes.api_operator import UPLOAD_API_PATH
from matchweek.web.routes.pages_operator import UPLOAD_PAGE_PATH
from matchweek.web.sessions import SessionKeeper, SessionMiddleware
from matchweek.web.settings import PortalSettings, generated_secret
from matchweek.web.templating import render
from matchweek.web.throttle import LoginThrottle

log = logging.getLogger("matchweek.web")

API_DESCRIPTION = """\
The clearinghouse portal's JSON API: what applicants, programs and the operator see and do
during Match Week. Authenticate with `POST /api/session` and send the token it returns as
`Authorization: Bearer <token>`; a browser signed in to the portal may use its session
cookie instead, sending its CSRF token in the `X-CSRF-Token` header on every change.
Refusals are one-line messages under `detail`: 401 not signed in, 403 not allowed,
404 nothing of yours here, 409 a rule or the week's state refuses it (naming the rule and
record), 413 body too large, 422 malformed input, 429 too many sign-in failures.
"""


def create_app(
    store: Store,
    *,
    clock_tick_seconds: float = 1.0,
    settings: PortalSettings | None = None,
    throttle: LoginThrottle | None = None,
) -> FastAPI:
    """The portal for ``store``: pages for each role, the JSON API under ``/api``, static files.

    While the app runs, a background task calls ``store.tick()`` every
    ``clock_tick_seconds`` so that the schedule advances with the clock even when nobody
    is looking (0 or less: no background task; every request still ticks first).
    ``settings`` default to a process-local random session secret and the defaults of
    :class:`PortalSettings`; ``throttle`` to the settings' sign-in limits.
    """
    settings = settings or PortalSettings(secret_key=generated_secret())
    keeper = SessionKeeper(settings, revocations=store)
    throttle = throttle or LoginThrottle(
        per_user=settings.login_failures,
        per_address=settings.address_failures,
        window=settings.login_window_seconds,
    )
    portal = Portal(store=store, settings=settings, keeper=keeper, throttle=throttle)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_heartbeat(store, clock_tick_seconds)) if clock_tick_seconds > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="matchweek clearinghouse portal",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(tick_clock)],
        # The interactive docs pages load their scripts from a CDN; the portal loads nothing from
        # the internet, so it serves the OpenAPI document alone.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.portal = portal

    app.add_route("/static/vendor/plotly.min.js", _plotly_js, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=_static_folder()), name="static")
    for module in (pages_auth, pages_applicant, pages_planner, pages_program, pages_operator):
        app.include_router(module.router, include_in_schema=False)
    for module in (api_session, api_applicant, api_planner, api_program, api_operator):
        app.include_router(module.router)

    _add_error_handlers(app)
    # Outermost first: body limits before anything reads a body, headers on every answer.
    app.add_middleware(SessionMiddleware, keeper=keeper)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=(UPLOAD_API_PATH, UPLOAD_PAGE_PATH),
    )
    app.add_middleware(SecurityHeaders)
    return app


async def _heartbeat(store: Store, seconds: float) -> None:
    """Tick the store's clock every ``seconds`` until cancelled."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await anyio.to_thread.run_sync(store.tick)
        except MatchweekError:
            log.exception("the schedule step due now could not be carried out")


def _static_folder() -> str:
    return str(resources.files("matchweek.web").joinpath("static"))


_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


async def _plotly_js(request: Request) -> Response:
    """plotly.js as the installed plotly package ships it: the dashboard's charts need nothing else."""
    return FileResponse(_PLOTLY_JS, media_type="text/javascript", headers={"cache-control": "max-age=86400"})


# --- errors: one line each, JSON for the API, a page for people --------------------------------------


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _answer(
    request: Request,
    status: int,
    detail: str,
    extra: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": detail, **(extra or {})}, status_code=status, headers=headers)
    page = render(request, "error.html", {"status": status, "detail": detail}, status=status)
    for name, value in (headers or {}).items():
        page.headers[name] = value
    return page


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.message}, status_code=401, headers={"www-authenticate": "Bearer"}
            )
        target = "/login"
        if request.method == "GET":
            target += "?next=" + _quote_path(request)
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"hx-redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> Response:
        return _answer(request, 429, exc.message, headers={"retry-after": str(exc.retry_after)})

    @app.exception_handler(PortalRefusal)
    async def refused(request: Request, exc: PortalRefusal) -> Response:
        return _answer(request, exc.status, exc.message)

    @app.exception_handler(RuleViolation)
    async def rule_violation(request: Request, exc: RuleViolation) -> Response:
        extra = {"rule": exc.rule, "section": exc.section, "record": exc.record}
        return _answer(request, 409, str(exc), extra)

    @app.exception_handler(StoreError)
    async def store_refused(request: Request, exc: StoreError) -> Response:
        return _answer(request, 409, _one_line(str(exc)))

    @app.exception_handler(FormatError)
    async def format_error(request: Request, exc: FormatError) -> Response:
        faults = [str(f) for f in exc.faults[: FormatError.shown]]
        first = (f"{exc.source}: " if exc.source else "") + (faults[0] if faults else "invalid file")
        more = len(exc.faults) - 1
        detail = first + (f" (and {more} more fault{'s' if more > 1 else ''})" if more > 0 else "")
        return _answer(request, 422, detail, {"faults": faults})

    @app.exception_handler(PolicyError)
    async def policy_error(request: Request, exc: PolicyError) -> Response:
        return _answer(request, 422, _one_line(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [_validation_line(e) for e in exc.errors()]
        detail = problems[0] if problems else "the request is malformed"
        if len(problems) > 1:
            detail += f" (and {len(problems) - 1} more)"
        return _answer(request, 422, detail, {"errors": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "the request cannot be served"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        return _answer(request, exc.status_code, _one_line(detail), headers=exc.headers)


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else text


def _validation_line(error: object) -> str:
    if not isinstance(error, dict):
        return str(error)
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    return f"{where}: {message}" if where else message


def _quote_path(request: Request) -> str:
    from urllib.parse import quote

    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return quote(path, safe="")
