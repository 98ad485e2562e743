"""Refusals the portal itself makes (not signed in, not allowed, not found, bad input), each one line."""

from __future__ import annotations


class PortalRefusal(Exception):
    """A request the portal refuses; ``status`` is its HTTP status, ``str()`` one line for the user."""

    status = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotSignedIn(PortalRefusal):
    """The request needs a signed-in account and came without one."""

    status = 401

    def __init__(self, message: str = "sign in first: this page needs an account") -> None:
        super().__init__(message)


class Forbidden(PortalRefusal):
    """The signed-in account may not do or see this."""

    status = 403


class CsrfRejected(Forbidden):
    """A form or a cookie-authenticated API call came without the session's CSRF token."""

    def __init__(self) -> None:
        super().__init__(
            "the form's security token is missing or out of date (CSRF check failed); "
            "reload the page and try again"
        )


class NotFound(PortalRefusal):
    """Nothing here that this account may see."""

    status = 404


class Conflict(PortalRefusal):
    """The request cannot be carried out in the current state (no market loaded, SOAP not started...)."""

    status = 409


class BadInput(PortalRefusal):
    """The request's values are malformed or out of range."""

    status = 422


class TooManyAttempts(PortalRefusal):
    """Too many failed sign-ins; ``retry_after`` says in how many seconds to try again."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"too many failed sign-ins for this username from your address: try again in {retry_after} s"
        )
