"""Events of a SOAP run: what happened, in order. The event log is the record of truth.

Each event converts to a plain dict ``{"type": ..., field: value, ...}`` of JSON
values and back (:func:`event_to_dict`, :func:`event_from_dict`), so a store can
persist the log as JSON and a restart can replay it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

from matchweek.errors import Fault, FormatError, PolicyError
from matchweek.model import Policy, SoapProgram, WeekTime
from matchweek.soap.commands import SoapEntrant


@dataclass(frozen=True, slots=True)
class SoapStarted:
    """SOAP's books opened with these programs, entrants and policy."""

    at: WeekTime
    policy: Policy
    programs: tuple[SoapProgram, ...]
    applicants: tuple[SoapEntrant, ...]


@dataclass(frozen=True, slots=True)
class ApplicantVerified:
    """An applicant's eligibility was verified."""

    at: WeekTime
    applicant: str


@dataclass(frozen=True, slots=True)
class StatusReleased:
    """Match status went out to applicants."""

    at: WeekTime


@dataclass(frozen=True, slots=True)
class UnfilledListPublished:
    """The List of Unfilled Programs went out; applications opened."""

    at: WeekTime


@dataclass(frozen=True, slots=True)
class ApplicationSubmitted:
    """An applicant applied to a program with these documents (none named: none checked)."""

    at: WeekTime
    applicant: str
    program: str
    personal_statement: str | None = None
    letters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreferenceListCertified:
    """A program certified its preference list, used from the next round that opens."""

    at: WeekTime
    program: str
    applicants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoundOpened:
    """An offer round opened; its offers follow as :class:`OfferExtended` events."""

    at: WeekTime
    round: int


@dataclass(frozen=True, slots=True)
class OfferExtended:
    """A program offered a position to an applicant at the opening of a round."""

    round: int
    program: str
    applicant: str


@dataclass(frozen=True, slots=True)
class OfferAccepted:
    """An applicant accepted an offer: a binding match."""

    at: WeekTime
    round: int
    program: str
    applicant: str


@dataclass(frozen=True, slots=True)
class OfferRejected:
    """An offer was rejected by its applicant, or ``automatic`` when an acceptance made it unneeded."""

    at: WeekTime
    round: int
    program: str
    applicant: str
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class OfferExpired:
    """An offer was not answered before its round closed."""

    round: int
    program: str
    applicant: str


@dataclass(frozen=True, slots=True)
class RoundClosed:
    """An offer round closed (after its unanswered offers expired)."""

    at: WeekTime
    round: int


@dataclass(frozen=True, slots=True)
class SoapEnded:
    """SOAP ended."""

    at: WeekTime


Event = (
    SoapStarted
    | ApplicantVerified
    | StatusReleased
    | UnfilledListPublished
    | ApplicationSubmitted
    | PreferenceListCertified
    | RoundOpened
    | OfferExtended
    | OfferAccepted
    | OfferRejected
    | OfferExpired
    | RoundClosed
    | SoapEnded
)

EVENT_TYPES: dict[str, type[Any]] = {
    "soap_started": SoapStarted,
    "applicant_verified": ApplicantVerified,
    "status_released": StatusReleased,
    "unfilled_list_published": UnfilledListPublished,
    "application_submitted": ApplicationSubmitted,
    "preference_list_certified": PreferenceListCertified,
    "round_opened": RoundOpened,
    "offer_extended": OfferExtended,
    "offer_accepted": OfferAccepted,
    "offer_rejected": OfferRejected,
    "offer_expired": OfferExpired,
    "round_closed": RoundClosed,
    "soap_ended": SoapEnded,
}
_TYPE_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as a dict of JSON values, its kind under ``"type"``; times are minutes since Monday 00:00."""
    out: dict[str, Any] = {"type": _TYPE_NAMES[type(event)]}
    for f in dataclasses.fields(event):
        out[f.name] = _encode(getattr(event, f.name))
    return out


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event :func:`event_to_dict` made ``data`` from; a malformed dict raises :class:`FormatError`."""
    if not isinstance(data, dict):
        raise FormatError(Fault("event", f"must be an object, got {type(data).__name__}"))
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise FormatError(Fault("event.type", f"unknown event type {kind!r}"))
    return typing.cast(Event, _decode_dataclass(cls, data, f"event[{kind}]", skip=("type",)))


def _encode(value: Any) -> Any:
    if isinstance(value, WeekTime):
        return value.minutes
    if isinstance(value, Policy):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode_dataclass(cls: type[Any], data: Any, where: str, skip: tuple[str, ...] = ()) -> Any:
    if not isinstance(data, dict):
        raise FormatError(Fault(where, f"must be an object, got {type(data).__name__}"))
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names - set(skip))
    if unknown:
        raise FormatError(Fault(f"{where}.{unknown[0]}", "unknown field"))
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise FormatError(Fault(f"{where}.{f.name}", "missing"))
            continue
        values[f.name] = _decode(hints[f.name], data[f.name], f"{where}.{f.name}")
    return cls(**values)


def _decode(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _decode(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise FormatError(Fault(where, f"must be a list, got {type(value).__name__}"))
        item = typing.get_args(hint)[0]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is WeekTime:
        return WeekTime(_decode(int, value, where))
    if hint is Policy:
        if not isinstance(value, dict):
            raise FormatError(Fault(where, "must be an object"))
        try:
            return Policy().with_values(value, where=where)
        except PolicyError as e:
            raise FormatError(Fault(where, str(e))) from None
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise FormatError(Fault(where, f"unknown value {value!r}")) from None
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(typing.cast(type[Any], hint), value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise FormatError(Fault(where, f"must be true or false, got {value!r}"))
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise FormatError(Fault(where, f"must be a whole number, got {value!r}"))
        return value
    if hint is str:
        if not isinstance(value, str):
            raise FormatError(Fault(where, f"must be a string, got {value!r}"))
        return value
    raise TypeError(f"{where}: no decoder for {hint!r}")
