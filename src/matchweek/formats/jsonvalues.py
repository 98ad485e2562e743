"""Checking parsed JSON values against the types a format expects, logging a fault for each misfit.

Every helper takes the value, the location it came from and the log; it returns the
converted value, or None after logging why the value cannot be used.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from typing import TypeVar

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, Where, one_of, quote, show

E = TypeVar("E", bound=StrEnum)

MISSING = object()
"""Stands for a field that is absent from an object."""


@cache
def enum_values(enum: type[E]) -> dict[str, E]:
    """An enum's members by value, for lookup of input strings."""
    return {m.value: m for m in enum}


def check_fields(
    log: FaultLog, obj: dict[str, object], allowed: frozenset[str], required: Iterable[str], where: Where
) -> None:
    """Log unknown fields (in file order) and missing required ones."""
    if not obj.keys() <= allowed:
        for key in obj:
            if key not in allowed:
                log.add((*where, key), "unknown field")
    for key in required:
        if key not in obj:
            log.add((*where, key), "required field missing")


def as_object(log: FaultLog, value: object, where: Where) -> dict[str, object] | None:
    if type(value) is dict:
        return value
    log.add(where, f"must be an object, got {show(value)}")
    return None


def as_list(log: FaultLog, value: object, where: Where) -> list[object] | None:
    if type(value) is list:
        return value
    log.add(where, f"must be a list, got {show(value)}")
    return None


def as_str(log: FaultLog, value: object, where: Where) -> str | None:
    """A non-empty string."""
    if type(value) is str and value:
        return value
    log.add(where, "must not be empty" if value == "" else f"must be a string, got {show(value)}")
    return None


def as_int(log: FaultLog, value: object, where: Where) -> int | None:
    if type(value) is int:
        return value
    log.add(where, f"must be a whole number, got {show(value)}")
    return None


def as_number(log: FaultLog, value: object, where: Where) -> float | None:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    log.add(where, f"must be a number, got {show(value)}")
    return None


def as_bool(log: FaultLog, value: object, where: Where) -> bool | None:
    if type(value) is bool:
        return value
    log.add(where, f"must be true or false, got {show(value)}")
    return None


def as_enum(log: FaultLog, value: object, enum: type[E], what: str, where: Where) -> E | None:
    """A member of ``enum`` named by its value; ``what`` names the kind of value in messages."""
    if type(value) is str:
        member = enum_values(enum).get(value)
        if member is not None:
            return member
        log.add(where, f"unknown {what} {quote(value)} {one_of(enum)}")
        return None
    log.add(where, f"must be a string, got {show(value)}")
    return None


def as_str_list(log: FaultLog, value: object, where: Where) -> tuple[str, ...] | None:
    """A list of non-empty strings; None (after logging) if any item is not one."""
    items = as_list(log, value, where)
    if items is None:
        return None
    ok = True
    for j, item in enumerate(items):
        if type(item) is not str or not item:
            as_str(log, item, (*where, j))
            ok = False
    return tuple(items) if ok else None  # type: ignore[arg-type]


def as_enum_list(
    log: FaultLog, value: object, enum: type[E], what: str, where: Where
) -> tuple[E, ...] | None:
    """A list of enum values; None (after logging) if any item is not one."""
    items = as_list(log, value, where)
    if items is None:
        return None
    out = [as_enum(log, item, enum, what, (*where, j)) for j, item in enumerate(items)]
    return None if None in out else tuple(out)  # type: ignore[arg-type]


def as_str_map(log: FaultLog, value: object, where: Where) -> dict[str, object] | None:
    """An object whose keys are non-empty strings (JSON keys are always strings)."""
    obj = as_object(log, value, where)
    if obj is None:
        return None
    if "" in obj:
        log.add((*where, ""), "a key must not be empty")
        return None
    return obj


def check_format(log: FaultLog, document: dict[str, object], expected: str) -> None:
    """The ``"format"`` field must name ``expected``."""
    value = document.get("format", MISSING)
    if value is MISSING:
        log.add(("format",), f'required field missing (expected "{expected}")')
    elif value != expected:
        log.add(("format",), f'expected "{expected}", got {show(value)}')


def read_top(
    log: FaultLog,
    document: object,
    expected_format: str,
    allowed: frozenset[str],
    required: Iterable[str],
    source: str | None,
) -> dict[str, object]:
    """The top-level object of a document, its format and fields checked (faults go to ``log``).

    A document that is not an object at all cannot be read further: FormatError at once.
    """
    top = as_object(log, document, ())
    if top is None:
        raise FormatError(log.faults(), source)
    check_format(log, top, expected_format)
    check_fields(log, top, allowed, required, ())
    return top


def read_counts(log: FaultLog, value: object, key: str) -> dict[str, int]:
    """A top-level ``key`` mapping names to counts that must not be negative (absent: empty)."""
    if value is MISSING:
        return {}
    items = as_str_map(log, value, (key,))
    if items is None:
        return {}
    out: dict[str, int] = {}
    for name, count in items.items():
        n = as_int(log, count, (key, name))
        if n is not None and n < 0:
            log.add((key, name), f"must not be negative, got {n}")
        elif n is not None:
            out[name] = n
    return out
