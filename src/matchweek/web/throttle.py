"""Sign-in throttling: many failed passwords for one username from one address block that pair a while."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    """Counts failed sign-ins in a sliding window, per (username, address) and per address.

    After ``per_user`` failures for one username from one address within ``window``
    seconds, further sign-ins for that pair are refused (even with the right password)
    until the oldest failure leaves the window; ``per_address`` failures from one address
    across all usernames block that address the same way. A successful sign-in clears the
    pair's failures. Thread-safe; memory stays bounded by the failures of one window.
    """

    def __init__(
        self,
        *,
        per_user: int = 5,
        per_address: int = 50,
        window: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window
        self._now = now
        self._pairs: dict[tuple[str, str], deque[float]] = {}
        self._addresses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str, address: str) -> tuple[str, str]:
        return username.strip().casefold(), address

    def _recent(self, times: deque[float] | None, now: float) -> int:
        if times is None:
            return 0
        while times and now - times[0] >= self.window:
            times.popleft()
        return len(times)

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds to wait before this username may try again from this address; None if it may now."""
        with self._lock:
            now = self._now()
            waits: list[float] = []
            pair = self._pairs.get(self._key(username, address))
            if self._recent(pair, now) >= self.per_user and pair:
                waits.append(pair[-self.per_user] + self.window - now)
            by_address = self._addresses.get(address)
            if self._recent(by_address, now) >= self.per_address and by_address:
                waits.append(by_address[-self.per_address] + self.window - now)
            if not waits:
                return None
            return max(1, math.ceil(max(waits)))

    def failed(self, username: str, address: str) -> None:
        """Record a failed sign-in."""
        with self._lock:
            now = self._now()
            self._prune(now)
            self._pairs.setdefault(self._key(username, address), deque()).append(now)
            self._addresses.setdefault(address, deque()).append(now)

    def succeeded(self, username: str, address: str) -> None:
        """Record a successful sign-in: the pair's failures are forgotten."""
        with self._lock:
            self._pairs.pop(self._key(username, address), None)

    def _prune(self, now: float) -> None:
        # Drop keys whose failures have all left the window, so an attack with many
        # usernames cannot grow memory beyond one window's worth.
        if len(self._pairs) + len(self._addresses) < 1024:
            return
        for table in (self._pairs, self._addresses):
            for key in [k for k, times in table.items() if self._recent(times, now) == 0]:
                del table[key]  # type: ignore[arg-type]
