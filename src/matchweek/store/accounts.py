"""Portal accounts: who may sign in, in which role, for which programs or applicant.

Passwords are kept only as Argon2id hashes (argon2-cffi). The checks here are
pure; the store persists the accounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

from matchweek.store.errors import StoreError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused so that hashing one cannot be made arbitrarily expensive."""

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")

# An Argon2 hash as a PHC string: variant, optional version, costs, then salt and hash in unpadded base64.
_ARGON2_HASH = re.compile(
    r"\$argon2(?:id|i|d)\$(?:v=\d{1,3}\$)?m=\d{1,10},t=\d{1,10},p=\d{1,3}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+"
)
MAX_HASH_LENGTH = 255
"""The longest password hash kept (the column's size)."""
COST_HEADROOM = 4
"""An imported hash may cost at most this many times today's parameters to verify (memory, passes and
lanes each), so that no sign-in can be made arbitrarily expensive."""


class Role(StrEnum):
    """What an account may do in the portal."""

    OPERATOR = "operator"
    PROGRAM = "program"
    APPLICANT = "applicant"


@dataclass(frozen=True)
class Account:
    """A portal account (never its password or hash).

    ``programs`` are the codes a PROGRAM account manages (a director or
    coordinator of one or more tracks); ``applicant`` is the id an APPLICANT
    account is. Both are empty for an operator.
    """

    username: str
    role: Role
    programs: tuple[str, ...]
    applicant: str | None
    display_name: str


@dataclass(frozen=True)
class ImportedAccount:
    """An account moving from another system (a registration system, say) with its password already hashed.

    ``password_hash`` is the Argon2 hash that system made (a PHC string such as
    ``$argon2id$v=19$m=65536,t=3,p=4$...``); the plain password never reaches the
    clearinghouse. A hash made with weaker parameters than the store's is renewed at
    the account's first sign-in. The other fields are those of :class:`Account`
    (``display_name`` None: the username).
    """

    username: str
    password_hash: str
    role: Role | str
    programs: tuple[str, ...] = ()
    applicant: str | None = None
    display_name: str | None = None


_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verified when the username is unknown, so a wrong name costs as long as a wrong password.
    return _HASHER.hash("matchweek: no such account")


def checked_account(
    username: str,
    role: Role | str,
    programs: Sequence[str],
    applicant: str | None,
    display_name: str | None,
) -> Account:
    """The account these values describe, or StoreError naming the first thing wrong with them."""
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise StoreError(
            f"username {username!r}: 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit"
        )
    try:
        role = Role(role)
    except ValueError:
        raise StoreError(f"{username}: unknown role {role!r} (one of operator, program, applicant)") from None
    codes = tuple(programs)
    if any(not isinstance(code, str) or not code for code in codes):
        raise StoreError(f"{username}: program codes must be non-empty strings")
    if len(set(codes)) != len(codes):
        raise StoreError(f"{username}: a program is named twice")
    if role is Role.PROGRAM:
        if not codes:
            raise StoreError(f"{username}: a program account manages at least one program")
        if applicant is not None:
            raise StoreError(f"{username}: a program account is not an applicant")
    elif role is Role.APPLICANT:
        if not isinstance(applicant, str) or not applicant:
            raise StoreError(f"{username}: an applicant account names its applicant id")
        if codes:
            raise StoreError(f"{username}: an applicant account manages no programs")
    elif codes or applicant is not None:
        raise StoreError(f"{username}: an operator account names no programs and no applicant")
    name = display_name if display_name is not None else username
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise StoreError(f"{username}: the display name must be 1 to 200 characters")
    return Account(username, role, codes, applicant, name)


def hash_password(username: str, password: str) -> str:
    """The Argon2id hash of an acceptable password; StoreError for one too short or too long."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise StoreError(f"{username}: the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StoreError(f"{username}: the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def checked_hash(username: str, password_hash: str) -> str:
    """``password_hash`` if it is an Argon2 hash the store can verify at an acceptable cost, else StoreError
    naming what is wrong with it."""
    if not isinstance(password_hash, str) or not _ARGON2_HASH.fullmatch(password_hash):
        raise StoreError(
            f"{username}: the password hash is not an Argon2 hash "
            "($argon2id$v=19$m=...,t=...,p=...$salt$hash): imported passwords must be hashed with Argon2"
        )
    if len(password_hash) > MAX_HASH_LENGTH:
        raise StoreError(f"{username}: the password hash is longer than {MAX_HASH_LENGTH} characters")
    try:
        found = extract_parameters(password_hash)
    except InvalidHashError:
        raise StoreError(f"{username}: the password hash's Argon2 parameters cannot be read") from None
    if found.salt_len < 8 or found.hash_len < 4:
        raise StoreError(
            f"{username}: the password hash has a {found.salt_len}-byte salt and a {found.hash_len}-byte "
            "hash; Argon2 needs at least 8 and 4"
        )
    limits = {
        "memory cost": (found.memory_cost, _HASHER.memory_cost),
        "time cost": (found.time_cost, _HASHER.time_cost),
        "parallelism": (found.parallelism, _HASHER.parallelism),
    }
    for name, (value, today) in limits.items():
        if value < 1 or value > COST_HEADROOM * today:
            raise StoreError(
                f"{username}: the password hash's {name} {value} is outside 1 to {COST_HEADROOM * today} "
                f"({COST_HEADROOM} times today's), so it could not be verified at an acceptable cost"
            )
    return password_hash


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (None: no such account, always False
    but just as slow)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash if stored_hash is not None else _dummy_hash(), password) and (
            stored_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def renewed_hash(stored_hash: str, password: str) -> str | None:
    """A new hash of ``password`` (just verified against ``stored_hash``) if the stored one was made
    with other parameters than today's, to renew at sign-in; None if it is current. The password
    rules are not applied again: the password is already the account's."""
    return _HASHER.hash(password) if _HASHER.check_needs_rehash(stored_hash) else None
