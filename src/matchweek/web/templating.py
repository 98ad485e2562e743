"""Rendering the portal's Jinja2 templates (shipped inside the package), always HTML-escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from matchweek import __version__
from matchweek.web import labels
from matchweek.web.sessions import session_of


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("matchweek.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__,
        TRACK_LABELS=labels.TRACK_LABELS,
        KIND_LABELS=labels.APPLICANT_KIND_LABELS,
        POSITION_KIND_LABELS=labels.POSITION_KIND_LABELS,
        MATCH_STATUS_LABELS=labels.MATCH_STATUS_LABELS,
        OFFER_STATUS_LABELS=labels.OFFER_STATUS_LABELS,
        EXAM_LABELS=labels.EXAM_LABELS,
        RED_FLAG_LABELS=labels.RED_FLAG_LABELS,
        label=labels.label,
    )
    env.filters["utc"] = _utc
    env.filters["iso"] = _iso
    env.filters["percent"] = _percent
    return env


def _utc(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment is not None else ""


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


_ENV = _environment()


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """The page ``template`` with ``context``, plus what every page needs: the account, CSRF token, messages.

    ``account``, ``clock`` and ``nav`` come from ``request.state`` when the route set them.
    """
    session = session_of(request)
    values: dict[str, Any] = {
        "request": request,
        "account": getattr(request.state, "account", None),
        "clock": getattr(request.state, "clock", None),
        "csrf_token": session.csrf,
        "flash": session.take_flash() if not _is_partial(template) else [],
        "partial": request.headers.get("hx-request") == "true",
    }
    values.update(context)
    return HTMLResponse(_ENV.get_template(template).render(values), status_code=status)


def wants_fragment(request: Request) -> bool:
    """Whether htmx asked for a fragment of the page (not when it restores a page from history)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def _is_partial(template: str) -> bool:
    # Fragments swapped in by htmx leave queued messages for the next full page.
    return template.startswith("partials/")
