"""How the portal is configured: session secret, cookie security, request limits, sign-in throttling."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from matchweek.errors import MatchweekError

SECRET_KEY_ENV = "MATCHWEEK_SECRET_KEY"
"""Environment variable holding the key that signs session cookies and API tokens."""

MIN_SECRET_LENGTH = 32
"""Shortest secret key accepted, in characters: a short key can be guessed offline from one cookie."""


class PortalConfigError(MatchweekError):
    """The portal's configuration cannot be used (a weak secret key, an unreadable key file)."""


@dataclass(frozen=True, slots=True)
class PortalSettings:
    """Everything about the portal that an operator may tune; defaults suit a single-machine install.

    ``secure_cookies`` None marks the session cookie ``Secure`` exactly when the request came
    over https (as uvicorn reports it, behind a proxy with ``--proxy-headers``); True or
    False forces it. ``max_body_bytes`` bounds every request body except market uploads,
    which ``max_upload_bytes`` bounds. ``login_failures`` failed sign-ins for one username
    from one address within ``login_window_seconds`` block further tries from there for the
    rest of the window; ``address_failures`` bounds failures from one address across all
    usernames in the same window.
    """

    secret_key: str
    secure_cookies: bool | None = None
    session_max_age_seconds: int = 12 * 3600
    max_body_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 256 * 1024 * 1024
    login_failures: int = 5
    address_failures: int = 50
    login_window_seconds: float = 60.0

    def __post_init__(self) -> None:
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise PortalConfigError(
                f"the session secret key must be at least {MIN_SECRET_LENGTH} characters long, "
                f"got {len(self.secret_key)}"
            )


def generated_secret() -> str:
    """A fresh random secret key (sessions signed with it end when the process does)."""
    return secrets.token_urlsafe(48)


def secret_key(key_file: Path | None) -> str:
    """The session secret: from ``MATCHWEEK_SECRET_KEY`` if set, else from ``key_file``.

    When ``key_file`` does not exist yet a new random key is written to it, readable by its
    owner only, so sessions survive a restart. ``key_file`` None and no environment
    variable: a fresh key for this process alone.
    """
    from_env = os.environ.get(SECRET_KEY_ENV)
    if from_env:
        return from_env
    if key_file is None:
        return generated_secret()
    try:
        existing = key_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as e:
        raise PortalConfigError(f"{key_file}: cannot read the session key: {e.strerror or e}") from None
    if existing:
        return existing
    key = generated_secret()
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two servers starting at once must not overwrite each other's key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise PortalConfigError(f"{key_file}: cannot store the session key: {e.strerror or e}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key
