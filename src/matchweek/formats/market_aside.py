"""Reading a market and working on it at once: the market's rules are checked on a second core.

Checking every rule of a national market takes about a quarter of a second; so does
compiling it for the Main Match. When the file decodes cleanly, ``market_from_json_then``
forks: the child checks the rules while the parent already runs the caller's work on the
market, and the work's outcome is returned only once the child has found the market sound.
A market that breaks a rule is refused with the same FormatError as ``market_from_json``,
whatever the work did with it. Without ``os.fork`` or a second core, or if the child dies,
the rules are checked in the process itself: the outcome is the same, only slower.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from matchweek.formats import market_checks
from matchweek.formats.market_checks import ReaderNotes
from matchweek.formats.market_fast import decode_market
from matchweek.formats.market_json import collector_paused, market_from_json
from matchweek.model import Market

T = TypeVar("T")

_SOUND = 0
_FAULTY = 3


def market_from_json_then(
    data: bytes | str, work: Callable[[Market], T], source: str | None = None
) -> tuple[Market, T]:
    """The market in ``data`` and ``work(market)``, the market's rules checked meanwhile.

    ``work`` must be pure (no effects but its result): it may be given a market that turns
    out to break the format, and its outcome, or its exception, is then dropped for the
    FormatError. On a sound market an exception from ``work`` is raised as it is.
    """
    with collector_paused():
        decoded = decode_market(data)
    if decoded is None:
        market = market_from_json(data, source)
        return market, work(market)
    market, notes = decoded
    verdict = _checking_aside(market, notes)
    try:
        outcome = work(market)
    except Exception:
        if verdict():
            raise
        return _careful(data, work, source)
    if not verdict():
        return _careful(data, work, source)
    return market, outcome


def _careful(data: bytes | str, work: Callable[[Market], T], source: str | None) -> tuple[Market, T]:
    # The careful reader names every fault; it raises, since the checks found one.
    market = market_from_json(data, source)
    return market, work(market)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _checking_aside(market: Market, notes: ReaderNotes) -> Callable[[], bool]:
    """Start checking ``market``'s rules; the function returned tells whether it is sound."""
    if not hasattr(os, "fork") or _cores() < 2:
        sound = not market_checks.check_market(market, notes)
        return lambda: sound
    pid = os.fork()
    if pid == 0:  # the child: check, answer with the exit status, and leave at once
        status = _FAULTY
        try:
            status = _FAULTY if market_checks.check_market(market, notes) else _SOUND
        finally:
            os._exit(status)

    def verdict() -> bool:
        _, wait_status = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(wait_status)
        if status in (_SOUND, _FAULTY):
            return status == _SOUND
        return not market_checks.check_market(market, notes)  # the child died: check here

    return verdict
