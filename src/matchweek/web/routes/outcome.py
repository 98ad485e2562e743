"""Post/Redirect/Get for the pages' forms: carry out a change, queue its one-line outcome, go back."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse

from matchweek.errors import FormatError, MatchweekError
from matchweek.web.problems import PortalRefusal
from matchweek.web.sessions import session_of


def carry_out(request: Request, back: str, change: Callable[[], str]) -> RedirectResponse:
    """Run ``change`` (which returns what it did, in a sentence) and redirect to ``back`` with the outcome.

    A refusal the user caused (a broken rule, a store refusal, a bad file, a bad value) is
    shown as one line on the next page; anything else is a fault of the portal and propagates.
    """
    session = session_of(request)
    try:
        done = change()
    except FormatError as e:
        first = str(e.faults[0]) if e.faults else "invalid file"
        more = len(e.faults) - 1
        prefix = f"{e.source}: " if e.source else ""
        session.add_flash("error", prefix + first + (f" (and {more} more)" if more > 0 else ""))
    except (MatchweekError, PortalRefusal) as e:
        session.add_flash("error", str(e).splitlines()[0] if str(e) else type(e).__name__)
    else:
        session.add_flash("ok", done)
    return RedirectResponse(back, status_code=303)


def local_path(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (never another host), else ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
