"""Sessions: who is signed in, carried in a signed cookie (browsers) or a bearer token (API clients).

A session holds a random id, the signed-in username (None before sign-in), a random CSRF
token and when it was issued. The cookie's value and the bearer token are the session
signed with the server's secret (itsdangerous), so they cannot be forged or altered;
signing out revokes the session id on the server, so a copied cookie or token stops working
too. Cookies are ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` over https (see
:class:`~matchweek.web.settings.PortalSettings`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matchweek.web.settings import PortalSettings

COOKIE_NAME = "matchweek_session"
SCOPE_KEY = "matchweek.session"
_MAX_FLASH = 4
_MAX_FLASH_CHARS = 400


@dataclass(slots=True)
class Session:
    """One visitor's session. ``via_bearer`` sessions came from an API token and never set a cookie."""

    sid: str
    csrf: str
    user: str | None
    issued: float
    flash: list[tuple[str, str]] = field(default_factory=list)
    via_bearer: bool = False
    fresh: bool = False
    """Made for this request (no valid cookie came with it)."""
    modified: bool = False

    def add_flash(self, kind: str, message: str) -> None:
        """Queue a one-line message (``kind`` "ok" or "error") for the next page shown."""
        self.flash = [*self.flash, (kind, message[:_MAX_FLASH_CHARS])][-_MAX_FLASH:]
        self.modified = True

    def take_flash(self) -> list[tuple[str, str]]:
        """The queued messages, removing them."""
        out = self.flash
        if out:
            self.flash = []
            self.modified = True
        return out


class Revocations(Protocol):
    """Where revoked sessions are kept beyond the process (the store)."""

    def revoke_session(self, sid: str, issued: float, *, forget_before: float) -> None: ...

    def revoked_sessions(self, issued_since: float) -> dict[str, float]: ...


class SessionKeeper:
    """Issues, signs, verifies and revokes sessions. Thread-safe.

    With ``revocations`` (the store), a revoked session is also recorded there, and the
    revocations of sessions not yet expired are read back when the keeper starts, so a
    cookie or token signed out before a restart stays refused after it.
    """

    def __init__(
        self,
        settings: PortalSettings,
        *,
        now: Callable[[], float] = time.time,
        revocations: Revocations | None = None,
    ) -> None:
        self._settings = settings
        self._cookies = URLSafeTimedSerializer(settings.secret_key, salt="matchweek.session-cookie")
        self._tokens = URLSafeTimedSerializer(settings.secret_key, salt="matchweek.api-token")
        self._now = now
        self._revocations = revocations
        self._revoked: dict[str, float] = {}
        if revocations is not None:
            self._revoked.update(revocations.revoked_sessions(now() - self.max_age))
        self._lock = threading.Lock()

    @property
    def max_age(self) -> int:
        return self._settings.session_max_age_seconds

    def new(self, user: str | None = None) -> Session:
        """A fresh session (new id and CSRF token): for a first visit, and at every sign-in or out."""
        return Session(
            sid=secrets.token_urlsafe(18),
            csrf=secrets.token_urlsafe(24),
            user=user,
            issued=self._now(),
            fresh=True,
            modified=True,
        )

    def sign_in(self, session: Session, user: str) -> None:
        """Turn ``session`` into a new session for ``user``: new id and CSRF token (no session fixation)."""
        self._renew(session, user)

    def sign_out(self, session: Session) -> None:
        """Revoke ``session`` and turn it into a new anonymous one."""
        self.revoke(session)
        self._renew(session, None)

    def _renew(self, session: Session, user: str | None) -> None:
        fresh = self.new(user)
        session.sid, session.csrf, session.user, session.issued = fresh.sid, fresh.csrf, user, fresh.issued
        session.flash = []
        session.modified = True

    def revoke(self, session: Session) -> None:
        """End ``session`` everywhere: its cookie or token is refused from now on."""
        with self._lock:
            now = self._now()
            # Forget revocations of sessions that have expired anyway.
            for sid, issued in list(self._revoked.items()):
                if now - issued > self.max_age:
                    del self._revoked[sid]
            self._revoked[session.sid] = session.issued
        if self._revocations is not None:
            self._revocations.revoke_session(session.sid, session.issued, forget_before=now - self.max_age)

    def _live(self, data: Any) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            return None
        sid, csrf, user, issued = data.get("sid"), data.get("csrf"), data.get("user"), data.get("iat")
        if not (isinstance(sid, str) and isinstance(csrf, str) and isinstance(issued, int | float)):
            return None
        if user is not None and not isinstance(user, str):
            return None
        if self._now() - issued > self.max_age:
            return None
        with self._lock:
            if sid in self._revoked:
                return None
        return data

    def from_cookie(self, value: str) -> Session | None:
        """The session a cookie value carries, or None if it is forged, expired or revoked."""
        try:
            data = self._live(self._cookies.loads(value, max_age=self.max_age))
        except BadSignature:
            return None
        if data is None:
            return None
        flash = data.get("flash") or []
        messages = [(str(m[0]), str(m[1])) for m in flash if isinstance(m, list) and len(m) == 2][:_MAX_FLASH]
        return Session(data["sid"], data["csrf"], data["user"], float(data["iat"]), messages)

    def from_token(self, token: str) -> Session | None:
        """The session a bearer token carries, or None if it is forged, expired or revoked."""
        try:
            data = self._live(self._tokens.loads(token, max_age=self.max_age))
        except BadSignature:
            return None
        if data is None or data["user"] is None:
            return None
        return Session(data["sid"], data["csrf"], data["user"], float(data["iat"]), via_bearer=True)

    def token(self, session: Session) -> str:
        """A bearer token for ``session`` (API clients send it as ``Authorization: Bearer ...``)."""
        return self._tokens.dumps(
            {"sid": session.sid, "csrf": session.csrf, "user": session.user, "iat": session.issued}
        )

    def cookie_header(self, session: Session, *, https: bool) -> str:
        """The ``Set-Cookie`` header value that stores ``session`` in the browser."""
        value = self._cookies.dumps(
            {
                "sid": session.sid,
                "csrf": session.csrf,
                "user": session.user,
                "iat": session.issued,
                "flash": [list(m) for m in session.flash],
            }
        )
        secure = self._settings.secure_cookies if self._settings.secure_cookies is not None else https
        parts = [
            f"{COOKIE_NAME}={value}",
            "Path=/",
            f"Max-Age={self.max_age}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if secure:
            parts.append("Secure")
        return "; ".join(parts)


def session_of(connection: HTTPConnection) -> Session:
    """The session :class:`SessionMiddleware` attached to this request."""
    return connection.scope[SCOPE_KEY]  # type: ignore[no-any-return]


class SessionMiddleware:
    """Attaches a :class:`Session` to every HTTP request and stores it back in the cookie when it changed.

    A valid ``Authorization: Bearer`` token wins over the cookie; without either a fresh
    anonymous session is made (its cookie is set only for pages, not for API calls or static
    files, which need none).
    """

    def __init__(self, app: ASGIApp, keeper: SessionKeeper) -> None:
        self.app = app
        self.keeper = keeper

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        session = self._session(headers)
        scope[SCOPE_KEY] = session
        path: str = scope.get("path", "")
        wants_cookie = not path.startswith(("/api/", "/static/")) or not session.fresh

        async def send_with_cookie(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and not session.via_bearer
                and session.modified
                and wants_cookie
            ):
                out = MutableHeaders(scope=message)
                out.append("set-cookie", self.keeper.cookie_header(session, https=scope["scheme"] == "https"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _session(self, headers: Headers) -> Session:
        authorization = headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            from_token = self.keeper.from_token(credentials.strip())
            if from_token is not None:
                return from_token
        raw = headers.get("cookie")
        if raw:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw)
            except CookieError:  # a malformed Cookie header is no session, not an error
                jar = SimpleCookie()
            morsel = jar.get(COOKIE_NAME)
            if morsel is not None:
                from_cookie = self.keeper.from_cookie(morsel.value)
                if from_cookie is not None:
                    return from_cookie
        return self.keeper.new()
