"""ASGI guards around the whole portal: request body limits and security headers on every response."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import orjson
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # Every script is a file served by the portal: no inline script, no eval.
        "script-src 'self'",
        # plotly.js sets styles on the elements it draws.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, and ``Cache-Control: no-store`` but to static files.

    Pages and API answers hold one person's data: no shared cache may keep them. A header
    the response already has is kept (``Cache-Control`` only on static files).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security_headers(message.get("headers", ()), static)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_RAW_SECURITY_HEADERS = tuple((name.encode(), value.encode()) for name, value in SECURITY_HEADERS)
_NO_STORE = (b"cache-control", b"no-store")


def _with_security_headers(raw: Iterable[tuple[bytes, bytes]], static: bool) -> list[tuple[bytes, bytes]]:
    """A response's raw headers with the security headers it lacks (and, unless ``static``, no-store in
    place of any Cache-Control it had). Raw pairs are handled directly: this runs on every response."""
    headers = [(name, value) for name, value in raw if static or name.lower() != b"cache-control"]
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in _RAW_SECURITY_HEADERS if pair[0] not in present)
    if not static:
        headers.append(_NO_STORE)
    return headers


class BodyLimit:
    """Refuses request bodies over a size limit with 413 and a one-line message.

    ``upload_paths`` (exact paths) may carry up to ``upload_limit`` bytes, every other
    path ``limit``. A declared ``Content-Length`` over the limit is refused before any of
    the body is read; one within it is all the server reads (HTTP/1.1 framing), so such a
    request passes untouched. A body of undeclared length (chunked) that grows past the
    limit is cut off when it crosses it.
    """

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int, upload_paths: Sequence[str]) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = frozenset(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope.get("path") in self.upload_paths else self.limit
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(send, 400, "the Content-Length header must be a whole number of bytes")
                return
            if int(declared) > limit:
                await _refuse(send, 413, _too_large(limit))
                return
            if "transfer-encoding" not in headers:
                # The server reads exactly the declared length: the body cannot grow past the limit.
                await self.app(scope, receive, send)
                return
        received = 0
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def receive_counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, receive_counting, send_tracking)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, 413, _too_large(limit))


class _BodyTooLarge(HTTPException):
    """Raised inside the app's ``receive`` when a body crosses its limit.

    An HTTPException, so the app's own error handling answers 413 with the message.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"the request body is larger than the {_size(limit)} this address accepts"


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


async def _refuse(send: Send, status: int, message: str) -> None:
    body = orjson.dumps({"detail": message})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
