"""The clearinghouse clock: maps wall-clock time to Match Week time, at a chosen speed."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from matchweek.model import WeekTime
from matchweek.store.errors import StoreError


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WeekClock:
    """Match Week time that runs ``speed`` times as fast as the wall clock from ``start``.

    ``started_at`` is the wall-clock moment (UTC) at which the week stood at
    ``start`` (default: now). Speed 1 is real time; 60 runs an hour of the
    week per wall-clock minute, so a whole Match Week passes in under two hours,
    and 1,000 in about five minutes. ``wall_clock`` replaces the system clock
    (tests drive it by hand). Thread-safe.
    """

    def __init__(
        self,
        start: WeekTime,
        *,
        speed: float = 1.0,
        started_at: datetime | None = None,
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(speed, int | float) or not math.isfinite(speed) or speed <= 0:
            raise StoreError(f"clock speed must be a positive number, got {speed!r}")
        self._wall = wall_clock or _utc_now
        self._speed = float(speed)
        self._start = start
        self._started_at = as_utc(started_at) if started_at is not None else self._wall()
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        """Week minutes that pass per wall-clock minute."""
        return self._speed

    def now(self) -> WeekTime:
        """The Match Week time now: ``start`` plus the wall time elapsed since ``started_at`` times
        the speed, in whole minutes (never before ``start``)."""
        with self._lock:
            return self._now()

    def set(self, at: WeekTime) -> None:
        """Move the clock to ``at`` and run on from there; the clock never goes backwards."""
        with self._lock:
            current = self._now()
            if at < current:
                raise StoreError(f"the clock is at {current}; it never goes back to {at}")
            self._start = at
            self._started_at = self._wall()

    def wall_time_of(self, at: WeekTime) -> datetime:
        """The wall-clock moment (UTC) at which the week reaches ``at`` at the current speed
        (in the past for a time already passed); what an offer's countdown counts down to."""
        with self._lock:
            minutes = (at.minutes - self._start.minutes) / self._speed
            return self._started_at + timedelta(minutes=minutes)

    def _now(self) -> WeekTime:
        elapsed = (self._wall() - self._started_at).total_seconds()
        return self._start.plus(max(0, math.floor(elapsed / 60.0 * self._speed)))


def as_utc(moment: datetime) -> datetime:
    """``moment``, a naive datetime taken as UTC: the store's wall-clock zone (SQLite keeps no time
    zone; the store writes UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
