"""Collecting faults while reading a file: where each one is, and how to say what is wrong.

A location is a path of keys and indexes (``("applicants", 17, "rank_list", 3)``) kept as a
tuple until a fault is reported, so that reading a valid file builds no location strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

import orjson

from matchweek.errors import Fault, FormatError

Where = tuple[str | int, ...]
"""A location inside a document: object keys and list indexes from the top."""

Locate = Callable[[Where], str]
"""Turns a location into the text a user reads (a JSON path, or a file and row)."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def json_path(where: Where) -> str:
    """``("applicants", 17, "rank_list", 3)`` -> ``applicants[17].rank_list[3]``."""
    out: list[str] = []
    for part in where:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _BARE_KEY.fullmatch(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{quote(part)}]")
    return "".join(out)


def quote(text: str) -> str:
    """A string as JSON writes it, so odd characters stay visible in a message."""
    return orjson.dumps(text).decode()


def show(value: object) -> str:
    """A short description of an input value for a message: ``"four"``, ``12``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, StrEnum):
        return quote(value.value)
    if isinstance(value, str):
        return quote(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def one_of(enum: type[StrEnum]) -> str:
    """``(one of a, b, c)`` for an enum's values."""
    return "(one of " + ", ".join(m.value for m in enum) + ")"


class FaultLog:
    """The faults found so far in one input, each at a location."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[tuple[Where, str]] = []

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add(self, where: Where, message: str) -> None:
        self.entries.append((where, message))

    def extend(self, entries: list[tuple[Where, str]]) -> None:
        self.entries.extend(entries)

    def faults(self, locate: Locate = json_path) -> list[Fault]:
        return [Fault(locate(where), message) for where, message in self.entries]

    def raise_if_any(self, source: str | None, locate: Locate = json_path) -> None:
        """Raise a FormatError carrying every fault, if there is any."""
        if self.entries:
            raise FormatError(self.faults(locate), source)


def document_order(entries: list[tuple[Where, str]], sections: tuple[str, ...]) -> list[tuple[Where, str]]:
    """Faults sorted by where they sit in the document (top-level sections in ``sections`` order).

    Faults at the same place keep the order they were found in.
    """

    def key(item: tuple[Where, str]) -> tuple[tuple[int, int | str], ...]:
        where = item[0]
        if not where:
            return ((-1, 0),)
        head = where[0]
        first = (sections.index(head) if head in sections else len(sections), 0)
        rest = tuple((0, p) if isinstance(p, int) else (1, p) for p in where[1:])
        return (first, *rest)

    return sorted(entries, key=key)
