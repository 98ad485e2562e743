"""Match Week policy: every number the rule book leaves to the clearinghouse.

Defaults are the US residency Main Match and SOAP. Another match (fellowships,
psychology, pharmacy, another country) changes these values, never the code.
Times are given as a weekday of Match Week and a clock time in the policy's
time zone, e.g. ``"Thu 09:00"``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matchweek.errors import PolicyError

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEK_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True, order=True)
class WeekTime:
    """A moment in Match Week: minutes since Monday 00:00 in the policy's time zone."""

    minutes: int

    @classmethod
    def parse(cls, text: str) -> WeekTime:
        m = _WEEK_TIME.match(text)
        if not m:
            raise ValueError(f'"{text}" is not a Match Week time like "Thu 09:00"')
        day, hour, minute = m.groups()
        return cls(WEEKDAYS.index(day) * 1440 + int(hour) * 60 + int(minute))

    def __str__(self) -> str:
        day, rest = divmod(self.minutes, 1440)
        if not 0 <= day < len(WEEKDAYS):
            return f"+{self.minutes}min"
        return f"{WEEKDAYS[day]} {rest // 60:02d}:{rest % 60:02d}"

    def plus(self, minutes: int) -> WeekTime:
        return WeekTime(self.minutes + minutes)

    def on(self, monday: date, zone: ZoneInfo) -> datetime:
        """The wall-clock moment in the week that starts on ``monday``."""
        if monday.weekday() != 0:
            raise ValueError(f"{monday.isoformat()} is not a Monday")
        start = datetime.combine(monday, time(0, 0), tzinfo=zone)
        return start + timedelta(minutes=self.minutes)


@dataclass(frozen=True, slots=True)
class RoundTimes:
    """When one offer round opens and closes."""

    number: int
    opens: WeekTime
    closes: WeekTime


@dataclass(frozen=True, slots=True)
class Policy:
    """The configurable values of a Match Week (defaults: the rule book's)."""

    max_applications: int = 45
    """Applications an applicant may send in all of SOAP."""
    letters_per_application: int = 4
    """Most letters of recommendation attached to one application."""
    personal_statements_per_application: int = 1
    """Personal statements attached to one application."""
    rounds: int = 4
    """Number of SOAP offer rounds."""
    response_window_minutes: int = 120
    """How long an applicant has to answer an offer; the round closes then."""
    round_interval_minutes: int = 180
    """From the opening of one round to the opening of the next."""
    time_zone: str = "America/New_York"
    status_release: str = "Mon 10:00"
    list_release: str = "Mon 11:00"
    review_start: str = "Tue 08:00"
    first_round_opens: str = "Thu 09:00"
    soap_end: str = "Thu 21:00"
    match_day: str = "Fri 12:00"
    max_rank_list_length: int = 300
    """Longest primary rank order list an applicant or couple may certify."""

    def __post_init__(self) -> None:
        faults = self.faults()
        if faults:
            raise PolicyError("; ".join(faults))

    def faults(self) -> list[str]:
        """Every way this policy is inconsistent (empty when it is sound)."""
        out: list[str] = []
        for name in (
            "max_applications",
            "rounds",
            "response_window_minutes",
            "round_interval_minutes",
            "max_rank_list_length",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                out.append(f"policy.{name}: must be a whole number of at least 1, got {value!r}")
        for name in ("letters_per_application", "personal_statements_per_application"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                out.append(f"policy.{name}: must be a whole number of at least 0, got {value!r}")
        times = {}
        for name in (
            "status_release",
            "list_release",
            "review_start",
            "first_round_opens",
            "soap_end",
            "match_day",
        ):
            try:
                times[name] = WeekTime.parse(getattr(self, name))
            except (ValueError, TypeError) as e:
                out.append(f"policy.{name}: {e}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            out.append(f"policy.time_zone: unknown time zone {self.time_zone!r}")
        if out:
            return out
        if self.response_window_minutes > self.round_interval_minutes:
            out.append("policy.response_window_minutes: a round must close before the next one opens")
        order = ["status_release", "list_release", "review_start", "first_round_opens"]
        for a, b in pairwise(order):
            if times[a] > times[b]:
                out.append(f"policy.{b}: must not come before {a}")
        last_close = times["first_round_opens"].plus(
            (self.rounds - 1) * self.round_interval_minutes + self.response_window_minutes
        )
        if times["soap_end"] < last_close:
            out.append(f"policy.soap_end: must not come before the last round closes ({last_close})")
        if times["match_day"] < times["soap_end"]:
            out.append("policy.match_day: must not come before soap_end")
        return out

    def round_times(self) -> tuple[RoundTimes, ...]:
        """Opening and closing time of every offer round."""
        first = WeekTime.parse(self.first_round_opens)
        out = []
        for i in range(self.rounds):
            opens = first.plus(i * self.round_interval_minutes)
            out.append(RoundTimes(i + 1, opens, opens.plus(self.response_window_minutes)))
        return tuple(out)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def with_values(self, values: dict[str, Any], where: str = "policy") -> Policy:
        """This policy with ``values`` replacing some fields; unknown names are an error."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise PolicyError(
                f"{where}.{unknown[0]}: unknown policy value (known: {', '.join(sorted(known))})"
            )
        for name, value in values.items():
            expected = type(getattr(self, name))
            if expected is int and (not isinstance(value, int) or isinstance(value, bool)):
                raise PolicyError(f"{where}.{name}: must be a whole number, got {value!r}")
            if expected is str and not isinstance(value, str):
                raise PolicyError(f"{where}.{name}: must be a string, got {value!r}")
        return replace(self, **values)

    def to_dict(self) -> dict[str, Any]:
        """Every value, by name (the shape of a policy TOML file)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def load_policy(path: str | Path) -> Policy:
    """Read a policy TOML file: any subset of the policy's values at top level."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{p}: no such policy file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PolicyError(f"{p}: not valid TOML: {e}") from None
    try:
        return Policy().with_values(data)
    except PolicyError as e:
        raise PolicyError(f"{p}: {e}") from None
